//! The credit vault's rules: lenders' shares, borrowers' collateral and debt, interest, the
//! valuation of GPU-hour tokens from the pool's own figures, self-repayment from the
//! collateral's yield, and liquidation. Plain Rust: the caller, the time and every other
//! contract's answer (the valuation, the yield claimed) come in as arguments.
//!
//! Amounts are stablecoin units unless named otherwise; collateral is in GPU-hour token units.
//! Rounding always favours the vault: shares issued and assets paid round down, shares burnt,
//! assets pulled and debts round up, so the share price never falls except by recorded bad debt.

use compute_rwa_common::{bps_of, mul_div_floor, BPS, MS_PER_HOUR};
use ink::primitives::AccountId;
use ink::storage::Mapping;

/// Fixed-point scale of the borrow index and the yield accumulator.
pub const RAY: u128 = 1_000_000_000_000_000_000;
/// A year in milliseconds: rates are annual.
pub const YEAR_MS: u128 = 31_536_000_000;
/// Most finalized epochs the valuation looks back over.
pub const MAX_TRAILING_EPOCHS: u32 = 12;
/// Highest loan-to-value and liquidation threshold (bps).
pub const MAX_THRESHOLD_BPS: u16 = 9_000;
/// Highest liquidation bonus (bps).
pub const MAX_BONUS_BPS: u16 = 2_000;
/// Highest annual rate of any part of the curve (bps, 100%): at most 300% a year in all, so the
/// borrow index stays far from overflow for decades even at full utilization.
pub const MAX_RATE_BPS: u32 = 10_000;
/// Fewest epochs the valuation looks back over: a median of three, so one bad epoch never decides.
pub const MIN_TRAILING_EPOCHS: u32 = 3;
/// Longest horizon the valuation projects rent over, as a multiple of the epochs it looked back
/// over: a short burst of rent cannot be projected over years.
pub const MAX_HORIZON_MULTIPLE: u32 = 100;

const WHOLE: u128 = BPS as u128;

compute_rwa_common::contract_error! {
    /// Why a vault message was refused: every error of the contract, in one flat enum.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Error {
        /// The vault is paused: no deposits, mints or borrowing.
        Paused,
        /// Zero amount.
        ZeroAmount,
        /// The deposit or mint would issue no shares, or the redemption pay nothing.
        ZeroShares,
        /// More shares than the caller holds.
        InsufficientShares,
        /// Not enough stablecoin that is not lent out.
        InsufficientLiquidity,
        /// More collateral than the position holds.
        InsufficientCollateral,
        /// The debt would exceed the loan-to-value limit of the collateral.
        ExceedsBorrowLimit,
        /// The position is not liquidatable (debt within the liquidation threshold), or has no debt.
        Healthy,
        /// The position has no debt to repay.
        NoDebt,
        /// The oracle's feed is stale or unknown: nothing can be valued, so no new risk.
        StaleFeed,
        /// The valuation is zero (no rent distributed recently, no price, or the period ended).
        Unpriced,
        /// The period is over but its last yield may still reach the collateral (until the
        /// valuation's `yield_until`): it repays the debt first; only then is the rest written off.
        YieldPending,
        /// No credit (yield beyond the debt) to claim.
        NothingToClaim,
        /// Parameters out of their bounds.
        InvalidParams,
        /// Arithmetic would overflow.
        Overflow,
        /// The GPU-hour token refused to move the collateral (compliance, freeze, pause).
        TokenRefused,
        /// The stablecoin refused (allowance or balance).
        PaymentRefused,
        /// Another contract could not be called, or trapped; nothing changed.
        CallFailed,
        /// The links do not describe one pool: the escrow settles another stablecoin, token,
        /// oracle or feed (constructor).
        InconsistentLinks,
    }
}

type R<T> = Result<T, Error>;

fn add(a: u128, b: u128) -> R<u128> {
    a.checked_add(b).ok_or(Error::Overflow)
}

fn sub(a: u128, b: u128) -> R<u128> {
    a.checked_sub(b).ok_or(Error::Overflow)
}

fn mul_div(a: u128, b: u128, d: u128) -> R<u128> {
    mul_div_floor(a, b, d).ok_or(Error::Overflow)
}

fn mul_div_up(a: u128, b: u128, d: u128) -> R<u128> {
    let product = a.checked_mul(b).ok_or(Error::Overflow)?;
    let floor = product.checked_div(d).ok_or(Error::Overflow)?;
    let exact = product.checked_rem(d).ok_or(Error::Overflow)? == 0;
    if exact { Ok(floor) } else { add(floor, 1) }
}

/// `scaled × index ÷ RAY` (rounded up when `up`), exactly, without the 128-bit product of the
/// two: the index's whole part and its fraction are multiplied separately, so a debt left to
/// accrue for decades at the highest rates stays computable (review 7b, G5; only the fraction's
/// product can overflow, past 3.4 × 10^20 scaled units).
fn at_index(scaled: u128, index: u128, up: bool) -> R<u128> {
    let whole = index.checked_div(RAY).and_then(|w| scaled.checked_mul(w)).ok_or(Error::Overflow)?;
    let fraction = index.checked_rem(RAY).ok_or(Error::Overflow)?;
    add(whole, if up { mul_div_up(scaled, fraction, RAY)? } else { mul_div(scaled, fraction, RAY)? })
}

/// Risk and rate parameters, owner-set within bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(deny_unknown_fields))]
pub struct Params {
    /// Most a position may borrow, in bps of its collateral's value.
    pub ltv_bps: u16,
    /// Debt above this share of the collateral's value (bps) makes a position liquidatable.
    pub liquidation_threshold_bps: u16,
    /// Taken off the pool's value before anything is lent against it (bps).
    pub haircut_bps: u16,
    /// Most of a position's debt one liquidation repays (bps).
    pub close_factor_bps: u16,
    /// Extra collateral value a liquidator receives over what it repays (bps).
    pub liquidation_bonus_bps: u16,
    /// Annual borrow rate at zero utilization (bps).
    pub base_rate_bps: u32,
    /// Rate added from zero to `kink_bps` utilization (bps): the gentle slope.
    pub slope1_bps: u32,
    /// Rate added from the kink to full utilization (bps): the steep slope.
    pub slope2_bps: u32,
    /// Utilization where the steep slope begins (bps).
    pub kink_bps: u16,
    /// Finalized oracle epochs the valuation looks back over (median utilization, rent per epoch).
    pub trailing_epochs: u32,
    /// Most epochs of future rent the valuation counts (capped by the period's end): a short
    /// burst of rent cannot be projected over years.
    pub horizon_epochs: u32,
}

impl Params {
    /// Whether every parameter is within its bounds: `0 < ltv ≤ threshold ≤ 90%`, the bonus
    /// ≤ 20% and small enough that a liquidation always improves health
    /// (`threshold × (1 + bonus) < 100%`), haircut < 100%, `0 < close factor ≤ 100%`,
    /// `0 < kink < 100%`, each rate ≤ 100% a year, 3..=12 trailing epochs, a horizon of
    /// `trailing_epochs..=100 × trailing_epochs` epochs.
    pub fn validate(&self) -> R<()> {
        let threshold = u32::from(self.liquidation_threshold_bps);
        let with_bonus = threshold.saturating_mul(u32::from(BPS).saturating_add(u32::from(self.liquidation_bonus_bps)));
        let valid = self.ltv_bps > 0
            && self.ltv_bps <= self.liquidation_threshold_bps
            && self.liquidation_threshold_bps <= MAX_THRESHOLD_BPS
            && self.liquidation_bonus_bps <= MAX_BONUS_BPS
            && with_bonus < u32::from(BPS).saturating_mul(u32::from(BPS))
            && self.haircut_bps < BPS
            && self.close_factor_bps > 0
            && self.close_factor_bps <= BPS
            && self.kink_bps > 0
            && self.kink_bps < BPS
            && self.base_rate_bps <= MAX_RATE_BPS
            && self.slope1_bps <= MAX_RATE_BPS
            && self.slope2_bps <= MAX_RATE_BPS
            && (MIN_TRAILING_EPOCHS..=MAX_TRAILING_EPOCHS).contains(&self.trailing_epochs)
            && self.horizon_epochs >= self.trailing_epochs
            && self.horizon_epochs <= self.trailing_epochs.saturating_mul(MAX_HORIZON_MULTIPLE);
        if valid { Ok(()) } else { Err(Error::InvalidParams) }
    }

    /// Annual borrow rate (bps) at `utilization_bps`: `base + slope1 × u / kink` up to the kink,
    /// then `+ slope2 × (u − kink) / (100% − kink)`.
    pub fn borrow_rate_bps(&self, utilization_bps: u16) -> u128 {
        let u = u128::from(utilization_bps.min(BPS));
        let kink = u128::from(self.kink_bps);
        let base = u128::from(self.base_rate_bps);
        let slope1 = u128::from(self.slope1_bps);
        let below = u.min(kink);
        let gentle = slope1.saturating_mul(below).checked_div(kink).unwrap_or_default();
        let steep = u128::from(self.slope2_bps)
            .saturating_mul(u.saturating_sub(kink))
            .checked_div(WHOLE.saturating_sub(kink))
            .unwrap_or_default();
        base.saturating_add(gentle).saturating_add(steep)
    }
}

/// Every input of a valuation: read from the other contracts at the time of the call, except the
/// rent, which the vault measures itself between its checkpoints of the token's distributions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct ValuationInputs {
    /// Block time (ms).
    pub now: u64,
    /// End of the pool's tokenization period (ms; the token's pool data).
    pub period_end: u64,
    /// The feed's epoch length (ms; the oracle's schedule).
    pub epoch_length: u64,
    /// GPUs in the pool (the oracle's schedule).
    pub gpus: u32,
    /// Rent per GPU-hour (stablecoin units; the escrow's offer).
    pub price_per_gpu_hour: u128,
    /// Operator's cut of rent (bps; the escrow's terms).
    pub operator_fee_bps: u16,
    /// Median utilization (bps) of the finalized epochs looked back over (the oracle's history).
    pub utilization_bps: u16,
    /// How many finalized epochs that median is over (at most `trailing_epochs`).
    pub epochs: u32,
    /// Rent the holders earned since the vault's oldest checkpoint of the trailing epochs: the
    /// growth of the rent measure, the token's cumulative `distributed` plus `pending_rent`
    /// (0 without a checkpoint).
    pub recent_rent: u128,
    /// Rent the escrow holds for holders now: the holders' share of the epochs under dispute at
    /// the oracle's figures, and released rent the token has not taken yet. Part of the rent
    /// measure as if received, so a renter or operator disputing epochs cannot lower the
    /// measured rent while the arbiter decides (review 7b, G2), and a refused hand-over does not
    /// either; an arbiter's refund lowers it by what was refunded.
    pub pending_rent: u128,
    /// When the last yield of the period has reached holders (ms): the period's end plus the
    /// escrow's longest settlement delay (grace period, or dispute window and arbitration) plus
    /// the token's yield period. Debt is written off only after it (review 9, R9-2).
    pub yield_until: u64,
    /// Time `recent_rent` was received over (ms; 0 without a checkpoint).
    pub rent_window_ms: u64,
    /// The token's supply (units).
    pub supply: u128,
}

/// What the pool's rent over the horizon is worth to its holders, and how it was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Valuation {
    /// The figures it was computed from.
    pub inputs: ValuationInputs,
    /// Holders' rent over the horizon at the trailing utilization:
    /// `time × GPUs × price × utilization × (1 − fee)`, time = min(remaining, horizon).
    pub by_utilization: u128,
    /// Holders' rent over the horizon at the rate it was recently received:
    /// `recent rent × min(remaining, horizon) ÷ rent window`.
    pub by_distributions: u128,
    /// The lower of the two, less the haircut: what the whole supply is worth now.
    pub current: u128,
    /// The lowest value per token unit (×10^18) any valuation saw in the trailing epochs before
    /// this one (the vault's checkpoints; `None`: none). Borrowing counts the lower of it and now.
    pub low: Option<u128>,
    /// The highest value per token unit (×10^18) any valuation saw in those epochs. Liquidation
    /// counts the higher of it and now: a dip must outlast every valuation of the whole window —
    /// any keeper's or borrower's `refresh` lifts it — before it can close a loan.
    pub high: Option<u128>,
}

impl Valuation {
    /// Values the pool from `inputs` over at most `horizon_epochs` epochs with `haircut_bps`
    /// taken off; `low` and `high` are the window's checkpointed extremes per unit. Saturating: an
    /// absurd input makes one figure huge and the other decides, never an error.
    pub fn new(inputs: ValuationInputs, haircut_bps: u16, horizon_epochs: u32, low: Option<u128>, high: Option<u128>) -> Valuation {
        let horizon = inputs.epoch_length.saturating_mul(u64::from(horizon_epochs));
        let projected_ms = inputs.period_end.saturating_sub(inputs.now).min(horizon);
        // GPU-milliseconds × price per GPU-hour ÷ ms per hour (to the unit, not whole hours).
        let gpu_ms = u128::from(projected_ms).saturating_mul(u128::from(inputs.gpus));
        let gross = mul_div_floor(gpu_ms, inputs.price_per_gpu_hour, u128::from(MS_PER_HOUR))
            .unwrap_or_else(|| gpu_ms.checked_div(u128::from(MS_PER_HOUR)).unwrap_or_default().saturating_mul(inputs.price_per_gpu_hour));
        let net_bps = BPS.saturating_sub(inputs.operator_fee_bps);
        let by_utilization = share(share(gross, inputs.utilization_bps), net_bps);
        let by_distributions = mul_div_floor(inputs.recent_rent, u128::from(projected_ms), u128::from(inputs.rent_window_ms))
            .unwrap_or(if inputs.rent_window_ms == 0 { 0 } else { u128::MAX });
        let current = share(by_utilization.min(by_distributions), BPS.saturating_sub(haircut_bps));
        Valuation { inputs, by_utilization, by_distributions, current, low, high }
    }

    /// The value now per token unit (×10^18; 0 without supply): what checkpoints keep, so a mint
    /// that dilutes holders lowers it at once for borrowing, not for liquidation.
    pub fn unit_value(&self) -> u128 {
        mul_div_floor(self.current, RAY, self.inputs.supply).unwrap_or(if self.inputs.supply == 0 { 0 } else { u128::MAX })
    }

    /// A value per unit as a value of the whole supply now.
    fn of_supply(&self, unit_value: u128) -> u128 {
        mul_div_floor(unit_value, self.inputs.supply, RAY).unwrap_or(u128::MAX)
    }

    /// What borrowing counts for the whole supply: the lower of now and the window's lowest (0
    /// without a checkpoint in the window).
    pub fn borrow_value(&self) -> u128 {
        self.low.map_or(0, |low| self.of_supply(low).min(self.current))
    }

    /// What liquidation counts for the whole supply: the higher of now and the window's highest
    /// (0 without a checkpoint in the window).
    pub fn liquidation_value(&self) -> u128 {
        self.high.map_or(0, |high| self.of_supply(high).max(self.current))
    }

    /// Whether the tokenization period is over: the tokens earn nothing more.
    pub fn ended(&self) -> bool {
        self.inputs.now >= self.inputs.period_end
    }

    /// Value of `units` of the token at `pool_value` for the whole supply (0 without supply).
    pub fn value_of(&self, units: u128, pool_value: u128) -> R<u128> {
        if self.inputs.supply == 0 {
            return Ok(0);
        }
        mul_div(pool_value, units, self.inputs.supply)
    }
}

/// `amount × bps ÷ 10,000` (the shared `bps_of`, which never overflows), with `bps` capped at 100%.
fn share(amount: u128, bps: u16) -> u128 {
    bps_of(amount, bps.min(BPS)).unwrap_or_default()
}

/// The vault's record of one epoch: the rent measure at its first valuation (rent is measured
/// between checkpoints), and the lowest and highest value per token unit any valuation of the
/// epoch saw (the window's extremes bound borrowing and liquidation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Checkpoint {
    /// When it was taken (ms).
    pub at: u64,
    /// The rent measure then: the token's `distributed` total plus the holders' share of rent
    /// pending in the escrow (`ValuationInputs::pending_rent`).
    pub rent: u128,
    /// Lowest value per token unit (×10^18) seen in the epoch (above `high`: none yet, every
    /// valuation so far lacked a rent baseline).
    pub low: u128,
    /// Highest value per token unit (×10^18) seen in the epoch.
    pub high: u128,
}

/// Median of `values` (the lower middle for an even count; 0 when empty). An insertion sort: at
/// most `MAX_TRAILING_EPOCHS` values, and far less code than the standard library's sort.
pub fn median(values: &mut [u16]) -> u16 {
    for i in 1..values.len() {
        let mut j = i;
        while j > 0 && values.get(j.saturating_sub(1)) > values.get(j) {
            values.swap(j.saturating_sub(1), j);
            j = j.saturating_sub(1);
        }
    }
    let middle = values.len().saturating_sub(1) / 2;
    values.get(middle).copied().unwrap_or_default()
}

/// One borrower's books.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Position {
    /// GPU-hour token units locked.
    pub collateral: u128,
    /// Debt in index units: the debt is `scaled_debt × index ÷ RAY`, rounded up.
    pub scaled_debt: u128,
    /// Yield per collateral unit (RAY-scaled) already settled into this position.
    pub yield_index: u128,
    /// Yield beyond the debt, claimable by the borrower.
    pub credit: u128,
}

/// The vault's totals, in one read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Totals {
    /// Lenders' shares.
    pub shares: u128,
    /// Lenders' stablecoin in the vault (not lent out).
    pub cash: u128,
    /// Σ scaled debt of every position.
    pub scaled_debt: u128,
    /// Borrow index (RAY = 1.0 at deployment).
    pub index: u128,
    /// When interest last accrued (ms).
    pub accrued_at: u64,
    /// Σ collateral of every position (token units).
    pub collateral: u128,
    /// Yield per collateral unit received so far (RAY-scaled).
    pub yield_index: u128,
    /// Yield received but not yet settled into a position (includes rounding dust).
    pub unsettled_yield: u128,
    /// Σ borrowers' credit (yield beyond their debt) not yet claimed.
    pub credit: u128,
    /// Debt written off when a position's collateral ran out: borne by lenders.
    pub bad_debt: u128,
    /// Σ yield received from the token (to positions, or to lenders while no collateral was locked).
    pub yield_received: u128,
    /// Token units written off after the period (`liquidate` on worthless collateral): they stay
    /// in the vault for the lenders, and the yield they still earn goes to the lenders' cash.
    pub recovered: u128,
    /// Whether deposits, mints and borrowing are paused.
    pub paused: bool,
}

/// A position as of now, with its debt and limits at a valuation (`health` reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Health {
    /// The position, yield settled.
    pub position: Position,
    /// Debt now, interest included.
    pub debt: u128,
    /// Value of the collateral as liquidation counts it (the higher of now and the checkpoint).
    pub value: u128,
    /// Most the position may owe after a borrow or an unlock (the lower value × ltv).
    pub borrow_limit: u128,
    /// Debt above this makes the position liquidatable (`value × threshold`).
    pub liquidation_limit: u128,
    /// `liquidation_limit ÷ (debt − credit)` in bps (`u128::MAX` without net debt); below 10,000
    /// is liquidatable.
    pub health_factor_bps: u128,
}

/// What one settlement did with a position's yield.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settled {
    /// Applied to the debt.
    pub repaid: u128,
    /// Credited to the borrower (beyond the debt).
    pub credited: u128,
}

/// What a liquidation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Liquidation {
    /// Debt repaid by the liquidator (pulled from it).
    pub repaid: u128,
    /// Collateral units handed to the liquidator.
    pub seized: u128,
    /// Debt written off because the collateral ran out.
    pub bad_debt: u128,
    /// Collateral units kept for the lenders (a write-off after the period: `Totals::recovered`).
    pub recovered: u128,
}

/// The vault's books.
#[ink::storage_item]
#[derive(Debug)]
pub struct VaultData {
    params: Params,
    totals: Totals,
    shares: Mapping<AccountId, u128>,
    positions: Mapping<AccountId, Position>,
    checkpoints: Mapping<u64, Checkpoint>,
}

impl VaultData {
    /// Empty books with `params`, accruing from `now`.
    pub fn new(params: Params, now: u64) -> R<Self> {
        params.validate()?;
        Ok(Self {
            params,
            totals: Totals {
                shares: 0,
                cash: 0,
                scaled_debt: 0,
                index: RAY,
                accrued_at: now,
                collateral: 0,
                yield_index: 0,
                unsettled_yield: 0,
                credit: 0,
                bad_debt: 0,
                yield_received: 0,
                recovered: 0,
                paused: false,
            },
            shares: Mapping::default(),
            positions: Mapping::default(),
            checkpoints: Mapping::default(),
        })
    }

    // ---- reads -------------------------------------------------------------------------

    /// The books as they would be after accruing interest to `now`, for reads: the same
    /// totals with the index moved, over the same storage (a mapping's key is its type's).
    pub fn at(&self, now: u64) -> R<VaultData> {
        let mut books = VaultData {
            params: self.params,
            totals: self.totals,
            shares: Mapping::default(),
            positions: Mapping::default(),
            checkpoints: Mapping::default(),
        };
        books.accrue(now)?;
        Ok(books)
    }

    /// The parameters.
    pub fn params(&self) -> Params {
        self.params
    }

    /// The totals as stored (interest accrued up to `accrued_at`).
    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// Shares of `owner`.
    pub fn shares_of(&self, owner: AccountId) -> u128 {
        self.shares.get(owner).unwrap_or_default()
    }

    /// The position of `borrower` as stored; an empty one is settled up to now (it earned no yield).
    pub fn position(&self, borrower: AccountId) -> Position {
        self.positions.get(borrower).unwrap_or(Position { yield_index: self.totals.yield_index, ..Position::default() })
    }

    /// Σ debt, rounded down (each position's debt rounds up, so Σ positions ≥ this).
    pub fn total_debt(&self) -> R<u128> {
        at_index(self.totals.scaled_debt, self.totals.index, false)
    }

    /// What lenders own: stablecoin not lent out plus the debt owed to them.
    pub fn total_assets(&self) -> R<u128> {
        add(self.totals.cash, self.total_debt()?)
    }

    /// Lent share of the lenders' assets (bps).
    pub fn utilization_bps(&self) -> R<u16> {
        let debt = self.total_debt()?;
        let assets = self.total_assets()?;
        if assets == 0 {
            return Ok(0);
        }
        u16::try_from(mul_div(debt, WHOLE, assets)?).map_err(|_| Error::Overflow)
    }

    /// The annual borrow rate now (bps).
    pub fn borrow_rate_bps(&self) -> R<u128> {
        Ok(self.params.borrow_rate_bps(self.utilization_bps()?))
    }

    /// Debt of a position at the stored index (interest to `accrued_at`), rounded up.
    pub fn debt_of(&self, position: &Position) -> R<u128> {
        at_index(position.scaled_debt, self.totals.index, true)
    }

    /// Shares `assets` buy (rounded down): `assets × (shares + 1) ÷ (total assets + 1)`.
    pub fn preview_deposit(&self, assets: u128) -> R<u128> {
        mul_div(assets, add(self.totals.shares, 1)?, add(self.total_assets()?, 1)?)
    }

    /// Assets `shares` cost (rounded up).
    pub fn preview_mint(&self, shares: u128) -> R<u128> {
        mul_div_up(shares, add(self.total_assets()?, 1)?, add(self.totals.shares, 1)?)
    }

    /// Shares burnt to withdraw `assets` (rounded up).
    pub fn preview_withdraw(&self, assets: u128) -> R<u128> {
        mul_div_up(assets, add(self.totals.shares, 1)?, add(self.total_assets()?, 1)?)
    }

    /// Assets `shares` redeem for (rounded down).
    pub fn preview_redeem(&self, shares: u128) -> R<u128> {
        mul_div(shares, add(self.total_assets()?, 1)?, add(self.totals.shares, 1)?)
    }

    /// The position of `borrower` at `valuation` (yield settled, interest to `accrued_at`).
    pub fn health(&self, borrower: AccountId, valuation: &Valuation) -> R<Health> {
        let mut position = self.position(borrower);
        let pending = self.pending_yield(&position)?;
        // Settled as `touch` would settle it, by the same payment rule.
        let (burnt, repaid) = self.payment(&position, pending)?;
        position.scaled_debt = sub(position.scaled_debt, burnt)?;
        position.yield_index = self.totals.yield_index;
        position.credit = add(position.credit, sub(pending, repaid)?)?;
        let debt = self.debt_of(&position)?;
        self.health_of(position, debt, valuation)
    }

    fn health_of(&self, position: Position, debt: u128, valuation: &Valuation) -> R<Health> {
        let value = valuation.value_of(position.collateral, valuation.liquidation_value())?;
        let lower = valuation.value_of(position.collateral, valuation.borrow_value())?;
        let borrow_limit = mul_div(lower, u128::from(self.params.ltv_bps), WHOLE)?;
        let liquidation_limit = mul_div(value, u128::from(self.params.liquidation_threshold_bps), WHOLE)?;
        // The credit pays the debt first in a liquidation: the factor is over the debt net of it.
        let net = debt.saturating_sub(position.credit);
        let health_factor_bps = if net == 0 { u128::MAX } else { mul_div(liquidation_limit, WHOLE, net)? };
        Ok(Health { position, debt, value, borrow_limit, liquidation_limit, health_factor_bps })
    }

    fn pending_yield(&self, position: &Position) -> R<u128> {
        let delta = sub(self.totals.yield_index, position.yield_index)?;
        mul_div(position.collateral, delta, RAY)
    }

    // ---- interest and yield --------------------------------------------------------------

    /// Accrues interest up to `now`: the index grows by `rate × elapsed ÷ year` at the rate the
    /// utilization sets before the accrual (and stays put while nothing is owed).
    pub fn accrue(&mut self, now: u64) -> R<()> {
        let elapsed = u128::from(now.saturating_sub(self.totals.accrued_at));
        if elapsed == 0 || self.totals.scaled_debt == 0 {
            self.totals.accrued_at = self.totals.accrued_at.max(now);
            return Ok(());
        }
        let factor = self.borrow_rate_bps()?.saturating_mul(elapsed);
        let year = WHOLE.saturating_mul(YEAR_MS);
        // index × factor ÷ year, dividing first only where the product would overflow.
        let growth = mul_div_floor(self.totals.index, factor, year).unwrap_or_else(|| self.totals.index.checked_div(year).unwrap_or_default().saturating_mul(factor));
        self.totals.index = self.totals.index.saturating_add(growth);
        self.totals.accrued_at = now;
        Ok(())
    }

    /// Books `amount` of yield the vault claimed from the token: the recovered units' share (all
    /// of it while no collateral is locked) to the lenders' cash, the rest spread over the
    /// collateral locked (per unit, RAY-scaled).
    pub fn receive_yield(&mut self, amount: u128) -> R<()> {
        self.totals.yield_received = add(self.totals.yield_received, amount)?;
        let collateral = self.totals.collateral;
        let to_lenders = if collateral == 0 { amount } else { mul_div(amount, self.totals.recovered, add(collateral, self.totals.recovered)?)? };
        self.totals.cash = add(self.totals.cash, to_lenders)?;
        let rest = sub(amount, to_lenders)?;
        if rest > 0 {
            let per_unit = mul_div(rest, RAY, collateral)?;
            self.totals.yield_index = add(self.totals.yield_index, per_unit)?;
            self.totals.unsettled_yield = add(self.totals.unsettled_yield, rest)?;
        }
        Ok(())
    }

    /// Accrues interest and settles `borrower`'s share of the yield received since its last
    /// settlement: first against its debt (to the lenders' cash), the rest to its credit.
    pub fn touch(&mut self, borrower: AccountId, now: u64) -> R<Settled> {
        self.accrue(now)?;
        let mut position = self.position(borrower);
        let pending = self.pending_yield(&position)?;
        position.yield_index = self.totals.yield_index;
        let mut settled = Settled::default();
        if pending > 0 {
            self.totals.unsettled_yield = sub(self.totals.unsettled_yield, pending)?;
            settled.repaid = self.pay_debt(&mut position, pending)?;
            settled.credited = sub(pending, settled.repaid)?;
            position.credit = add(position.credit, settled.credited)?;
            self.totals.credit = add(self.totals.credit, settled.credited)?;
        }
        self.store(borrower, position);
        Ok(settled)
    }

    /// What paying up to `amount` of `position`'s debt burns (index units) and takes: all of the
    /// debt, or exactly what the index units it burns are worth (rounded up, never more than
    /// `amount`), so no payment is ever lost to rounding.
    fn payment(&self, position: &Position, amount: u128) -> R<(u128, u128)> {
        let debt = self.debt_of(position)?;
        if amount >= debt {
            return Ok((position.scaled_debt, debt));
        }
        let burnt = mul_div(amount, RAY, self.totals.index)?.min(position.scaled_debt);
        Ok((burnt, at_index(burnt, self.totals.index, true)?.min(amount)))
    }

    /// Pays up to `amount` of `position`'s debt into the lenders' cash (`payment`); returns what
    /// it paid.
    fn pay_debt(&mut self, position: &mut Position, amount: u128) -> R<u128> {
        let (burnt, paid) = self.payment(position, amount)?;
        position.scaled_debt = sub(position.scaled_debt, burnt)?;
        self.totals.scaled_debt = sub(self.totals.scaled_debt, burnt)?;
        self.totals.cash = add(self.totals.cash, paid)?;
        Ok(paid)
    }

    fn store(&mut self, borrower: AccountId, position: Position) {
        if position == (Position { yield_index: position.yield_index, ..Position::default() }) {
            self.positions.remove(borrower);
        } else {
            self.positions.insert(borrower, &position);
        }
    }

    // ---- lenders -------------------------------------------------------------------------

    fn issue(&mut self, owner: AccountId, assets: u128, shares: u128) -> R<()> {
        if self.totals.paused {
            return Err(Error::Paused);
        }
        if assets == 0 || shares == 0 {
            return Err(Error::ZeroShares);
        }
        self.totals.cash = add(self.totals.cash, assets)?;
        self.totals.shares = add(self.totals.shares, shares)?;
        self.shares.insert(owner, &add(self.shares_of(owner), shares)?);
        Ok(())
    }

    fn burn(&mut self, owner: AccountId, assets: u128, shares: u128) -> R<()> {
        if assets == 0 || shares == 0 {
            return Err(Error::ZeroShares);
        }
        let held = self.shares_of(owner);
        if shares > held {
            return Err(Error::InsufficientShares);
        }
        if assets > self.totals.cash {
            return Err(Error::InsufficientLiquidity);
        }
        self.totals.cash = sub(self.totals.cash, assets)?;
        self.totals.shares = sub(self.totals.shares, shares)?;
        self.shares.insert(owner, &sub(held, shares)?);
        Ok(())
    }

    /// Lends `assets` for shares; returns the shares (the caller pulls the assets).
    pub fn deposit(&mut self, owner: AccountId, assets: u128, now: u64) -> R<u128> {
        self.accrue(now)?;
        let shares = self.preview_deposit(assets)?;
        self.issue(owner, assets, shares)?;
        Ok(shares)
    }

    /// Buys exactly `shares`; returns the assets to pull.
    pub fn mint(&mut self, owner: AccountId, shares: u128, now: u64) -> R<u128> {
        self.accrue(now)?;
        let assets = self.preview_mint(shares)?;
        self.issue(owner, assets, shares)?;
        Ok(assets)
    }

    /// Withdraws exactly `assets` (from what is not lent out); returns the shares burnt.
    pub fn withdraw(&mut self, owner: AccountId, assets: u128, now: u64) -> R<u128> {
        self.accrue(now)?;
        let shares = self.preview_withdraw(assets)?;
        self.burn(owner, assets, shares)?;
        Ok(shares)
    }

    /// Redeems `shares`; returns the assets to pay.
    pub fn redeem(&mut self, owner: AccountId, shares: u128, now: u64) -> R<u128> {
        self.accrue(now)?;
        let assets = self.preview_redeem(shares)?;
        self.burn(owner, assets, shares)?;
        Ok(assets)
    }

    // ---- borrowers -----------------------------------------------------------------------

    /// Locks `amount` more collateral (the caller pulls the tokens); open while paused, since it
    /// only makes a position safer.
    pub fn lock(&mut self, borrower: AccountId, amount: u128, now: u64) -> R<()> {
        if amount == 0 {
            return Err(Error::ZeroAmount);
        }
        self.touch(borrower, now)?;
        let mut position = self.position(borrower);
        position.collateral = add(position.collateral, amount)?;
        self.totals.collateral = add(self.totals.collateral, amount)?;
        self.store(borrower, position);
        Ok(())
    }

    /// Unlocks `amount` of collateral (the caller sends the tokens); with debt left, the rest
    /// must still cover it within the loan-to-value limit at `valuation` (needed only then).
    pub fn unlock(&mut self, borrower: AccountId, amount: u128, now: u64, valuation: impl FnOnce() -> R<Valuation>) -> R<()> {
        if amount == 0 {
            return Err(Error::ZeroAmount);
        }
        self.touch(borrower, now)?;
        let mut position = self.position(borrower);
        position.collateral = position.collateral.checked_sub(amount).ok_or(Error::InsufficientCollateral)?;
        let debt = self.debt_of(&position)?;
        if debt > 0 && debt > self.health_of(position, debt, &valuation()?)?.borrow_limit {
            return Err(Error::ExceedsBorrowLimit);
        }
        self.totals.collateral = sub(self.totals.collateral, amount)?;
        self.store(borrower, position);
        Ok(())
    }

    /// Borrows `amount` from the lenders' cash within the loan-to-value limit at `valuation`;
    /// returns the debt after it (the caller pays out `amount`).
    pub fn borrow(&mut self, borrower: AccountId, amount: u128, now: u64, valuation: &Valuation) -> R<u128> {
        if self.totals.paused {
            return Err(Error::Paused);
        }
        if amount == 0 {
            return Err(Error::ZeroAmount);
        }
        self.touch(borrower, now)?;
        if amount > self.totals.cash {
            return Err(Error::InsufficientLiquidity);
        }
        if valuation.borrow_value() == 0 {
            return Err(Error::Unpriced);
        }
        let mut position = self.position(borrower);
        let scaled = mul_div_up(amount, RAY, self.totals.index)?;
        position.scaled_debt = add(position.scaled_debt, scaled)?;
        let debt = self.debt_of(&position)?;
        if debt > self.health_of(position, debt, valuation)?.borrow_limit {
            return Err(Error::ExceedsBorrowLimit);
        }
        self.totals.scaled_debt = add(self.totals.scaled_debt, scaled)?;
        self.totals.cash = sub(self.totals.cash, amount)?;
        self.store(borrower, position);
        Ok(debt)
    }

    /// Repays up to `amount` of `borrower`'s debt (anyone may repay anyone's); returns
    /// (paid, debt left) — the caller pulls `paid` from the payer. Refused without debt.
    pub fn repay(&mut self, borrower: AccountId, amount: u128, now: u64) -> R<(u128, u128)> {
        if amount == 0 {
            return Err(Error::ZeroAmount);
        }
        self.touch(borrower, now)?;
        let mut position = self.position(borrower);
        if position.scaled_debt == 0 {
            return Err(Error::NoDebt);
        }
        let paid = self.pay_debt(&mut position, amount)?;
        if paid == 0 {
            return Err(Error::ZeroAmount);
        }
        let left = self.debt_of(&position)?;
        self.store(borrower, position);
        Ok((paid, left))
    }

    /// Takes `borrower`'s whole credit (yield beyond its debt); returns it for the caller to pay.
    pub fn claim_credit(&mut self, borrower: AccountId, now: u64) -> R<u128> {
        self.touch(borrower, now)?;
        let mut position = self.position(borrower);
        let amount = position.credit;
        if amount == 0 {
            return Err(Error::NothingToClaim);
        }
        position.credit = 0;
        self.totals.credit = sub(self.totals.credit, amount)?;
        self.store(borrower, position);
        Ok(amount)
    }

    /// Liquidates a position whose debt exceeds its liquidation limit at `valuation`'s
    /// liquidation value (the higher of now and the earlier checkpoint). The borrower's credit
    /// pays its debt first; then the liquidator repays up to `amount` (at most the close factor
    /// of the debt) and receives collateral worth the repayment plus the bonus. If that would take
    /// more than the collateral, it takes all of it and repays only what it is worth at the
    /// bonus; the debt left is written off as bad debt. After the tokenization period the tokens
    /// are worth nothing: once their last yield has arrived (`yield_until`; it repays the debt
    /// first), anyone may write the rest of the debt off, and the tokens stay in the vault as the
    /// lenders' (`recovered`), so any yield still reaching them goes to lenders, not the caller.
    pub fn liquidate(&mut self, borrower: AccountId, amount: u128, now: u64, valuation: &Valuation) -> R<Liquidation> {
        if amount == 0 {
            return Err(Error::ZeroAmount);
        }
        self.touch(borrower, now)?;
        let mut position = self.position(borrower);
        // Every check first, on the debt as the credit will leave it: a refusal changes nothing.
        let credit = position.credit;
        let debt = self.debt_of(&position)?.saturating_sub(credit);
        let health = self.health_of(position, debt, valuation)?;
        if debt == 0 || debt <= health.liquidation_limit {
            return Err(Error::Healthy);
        }
        let pool_value = valuation.liquidation_value();
        if pool_value == 0 && !valuation.ended() {
            return Err(Error::Unpriced);
        }
        if pool_value == 0 && valuation.inputs.now < valuation.inputs.yield_until {
            return Err(Error::YieldPending);
        }
        let bonus = add(WHOLE, u128::from(self.params.liquidation_bonus_bps))?;
        let most = mul_div_up(debt, u128::from(self.params.close_factor_bps), WHOLE)?.min(amount);
        // Repaying this much takes every token of the position.
        let for_all = mul_div(health.value, WHOLE, bonus)?;
        let takes_all = most >= for_all;
        if most.min(for_all) == 0 && !takes_all {
            return Err(Error::ZeroAmount);
        }
        let offset = self.pay_debt(&mut position, credit)?;
        position.credit = sub(position.credit, offset)?;
        self.totals.credit = sub(self.totals.credit, offset)?;
        let paid = self.pay_debt(&mut position, most.min(for_all))?;
        let seized = if takes_all {
            position.collateral
        } else {
            mul_div(mul_div(paid, bonus, WHOLE)?, valuation.inputs.supply, pool_value)?.min(position.collateral)
        };
        position.collateral = sub(position.collateral, seized)?;
        self.totals.collateral = sub(self.totals.collateral, seized)?;
        let mut outcome = Liquidation { repaid: paid, seized, bad_debt: 0, recovered: 0 };
        if pool_value == 0 {
            // A write-off after the period: the tokens stay with the lenders, whose cash the
            // yield they still earn (the last epochs' rent, the stream) joins (review 7b, G7b).
            (outcome.seized, outcome.recovered) = (0, seized);
            self.totals.recovered = add(self.totals.recovered, seized)?;
        }
        if position.collateral == 0 && position.scaled_debt > 0 {
            outcome.bad_debt = self.debt_of(&position)?;
            self.totals.scaled_debt = sub(self.totals.scaled_debt, position.scaled_debt)?;
            position.scaled_debt = 0;
            self.totals.bad_debt = add(self.totals.bad_debt, outcome.bad_debt)?;
        }
        self.store(borrower, position);
        Ok(outcome)
    }

    // ---- valuation checkpoints --------------------------------------------------------------

    /// From the vault's checkpoints of the `trailing_epochs` epochs before `epoch`: the oldest
    /// (rent is measured since it), and the lowest and highest unit values seen (`None`: none).
    pub fn window(&self, epoch: u64) -> (Option<Checkpoint>, Option<u128>, Option<u128>) {
        let from = epoch.saturating_sub(u64::from(self.params.trailing_epochs));
        let mut oldest = None;
        let (mut low, mut high): (Option<u128>, Option<u128>) = (None, None);
        for checkpoint in (from..epoch).filter_map(|e| self.checkpoints.get(e)) {
            oldest = oldest.or(Some(checkpoint));
            if checkpoint.low <= checkpoint.high {
                low = Some(low.map_or(checkpoint.low, |l| l.min(checkpoint.low)));
                high = Some(high.map_or(checkpoint.high, |h| h.max(checkpoint.high)));
            }
        }
        (oldest, low, high)
    }

    /// Values the pool at epoch `epoch` from `inputs` (their measured rent and window ignored)
    /// and the rent measure now (`Checkpoint::rent`): the rent is what it grew by since the
    /// window's oldest checkpoint, and the window's extremes bound borrowing and liquidation.
    pub fn valuation(&self, mut inputs: ValuationInputs, epoch: u64, rent: u128) -> Valuation {
        let (oldest, low, high) = self.window(epoch);
        (inputs.recent_rent, inputs.rent_window_ms) =
            oldest.map_or((0, 0), |c| (rent.saturating_sub(c.rent), inputs.now.saturating_sub(c.at)));
        Valuation::new(inputs, self.params.haircut_bps, self.params.horizon_epochs, low, high)
    }

    /// Records a valuation of `epoch`: the first keeps the rent measure and time; every one with a value (`None`: no rent baseline yet, so no value to speak of)
    /// widens the epoch's lowest and highest unit value. Returns whether the checkpoint changed.
    pub fn checkpoint(&mut self, epoch: u64, now: u64, rent: u128, unit_value: Option<u128>) -> bool {
        let first = Checkpoint { at: now, rent, low: u128::MAX, high: 0 };
        let mut checkpoint = self.checkpoints.get(epoch).unwrap_or(first);
        if let Some(value) = unit_value {
            (checkpoint.low, checkpoint.high) = (checkpoint.low.min(value), checkpoint.high.max(value));
        }
        if self.checkpoints.get(epoch) == Some(checkpoint) {
            return false;
        }
        self.checkpoints.insert(epoch, &checkpoint);
        true
    }

    // ---- owner ---------------------------------------------------------------------------

    /// Replaces the parameters (interest accrued first at the old rate).
    pub fn set_params(&mut self, params: Params, now: u64) -> R<()> {
        params.validate()?;
        self.accrue(now)?;
        self.params = params;
        Ok(())
    }

    /// Pauses (`true`) or resumes deposits, mints and borrowing.
    pub fn set_paused(&mut self, paused: bool) {
        self.totals.paused = paused;
    }
}
