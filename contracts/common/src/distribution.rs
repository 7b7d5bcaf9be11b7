//! The GPU-hour token's yield interface, as escrows (and other payers) call it.

/// Why a yield distribution was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum DistributeError {
    /// The caller may not distribute.
    NotDistributor,
    /// Zero, or past the accumulator's documented cap.
    InvalidAmount,
    /// The stablecoin could not be pulled from the caller (allowance or balance).
    PaymentFailed,
}

/// What an escrow asks of a GPU-hour token: take released rent for its holders.
#[ink::trait_definition]
pub trait YieldDistributor {
    /// Pulls `amount` of the yield stablecoin from the caller (who approved it) and
    /// spreads it over holders pro rata.
    #[ink(message)]
    fn distribute(&mut self, amount: u128) -> Result<(), DistributeError>;
}
