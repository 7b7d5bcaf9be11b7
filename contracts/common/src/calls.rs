//! Cross-contract calls every contract makes the same way, with failures as values.
//!
//! `try_invoke` keeps a failing callee (wrong address, trap, error result) from trapping
//! the caller: each outcome maps to an error variant the caller can return, and the
//! caller's `Err` then reverts its own state changes.

use crate::distribution::DistributeError;
use crate::feed::Finalized;
use crate::schedule::EpochSchedule;
use crate::identity::{Credential, IdentityCheck, IdentityListener, PushError};
use crate::token::{AdminOp, AdminOutcome, TokenAdmin, TokenError};
use ink::codegen::TraitCallBuilder;
use ink::env::DefaultEnvironment;
use ink::prelude::{string::String, vec::Vec};
use ink::primitives::AccountId;
use ink::env::call::{build_call, ExecutionInput, Selector};
use ink::scale::{Decode, DecodeAll, Encode, Input, Output};
pub use psp22::PSP22Error;

/// How a call to another contract failed.
#[derive(Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum CallError {
    /// The callee could not be called or trapped (wrong address, out of gas, bad selector).
    CallFailed,
    /// The PSP22 token refused, with its error.
    Token(PSP22Error),
    /// The GPU-hour token refused the yield.
    Distribution(DistributeError),
    /// A bound token refused an identity push.
    Push(PushError),
}

fn flatten<T>(result: Result<ink::MessageResult<T>, ink::env::Error>) -> Result<T, CallError> {
    match result {
        Ok(Ok(value)) => Ok(value),
        _ => Err(CallError::CallFailed),
    }
}

/// `PSP22::transfer(to, value)` on `token`, from the calling contract's balance.
pub fn psp22_transfer(token: AccountId, to: AccountId, value: u128) -> Result<(), CallError> {
    psp22(token, ink::selector_bytes!("PSP22::transfer"), (to, value, Vec::<u8>::new()))
}

/// `PSP22::transfer_from(from, to, value)` on `token`, spending the caller contract's allowance.
pub fn psp22_transfer_from(token: AccountId, from: AccountId, to: AccountId, value: u128) -> Result<(), CallError> {
    psp22(token, ink::selector_bytes!("PSP22::transfer_from"), (from, to, value, Vec::<u8>::new()))
}

/// `PSP22::approve(spender, value)` on `token`, from the calling contract.
pub fn psp22_approve(token: AccountId, spender: AccountId, value: u128) -> Result<(), CallError> {
    psp22(token, ink::selector_bytes!("PSP22::approve"), (spender, value))
}

/// A PSP22 message answering `Result<(), PSP22Error>`, sent by selector (one call path, see
/// `raw`). The answer must have that exact shape: `[0]` (`Ok`), or 1 and the error's variant,
/// followed by nothing but the reason text of `Custom` and `SafeTransferCheckFailed`, which is
/// left unread (no contract here uses it, and decoding it as UTF-8 text would put a validator in
/// every caller's code). Anything else — `Ok` followed by more bytes from a non-standard token
/// included (review 14) — is `CallFailed`.
fn psp22(token: AccountId, selector: [u8; 4], args: impl Encode) -> Result<(), CallError> {
    let refusal = match raw(token, selector, args)?.as_slice() {
        [0] => return Ok(()),
        [1, 0, ..] => PSP22Error::Custom(String::new()),
        [1, 1] => PSP22Error::InsufficientBalance,
        [1, 2] => PSP22Error::InsufficientAllowance,
        [1, 3] => PSP22Error::ZeroRecipientAddress,
        [1, 4] => PSP22Error::ZeroSenderAddress,
        [1, 5, ..] => PSP22Error::SafeTransferCheckFailed(String::new()),
        _ => return Err(CallError::CallFailed),
    };
    Err(CallError::Token(refusal))
}

/// Hands `amount` (already approved to `token`) to the GPU-hour token's holders
/// (`YieldDistributor::distribute`, sent by selector: one call path, see `raw`).
#[inline]
pub fn distribute_yield(token: AccountId, amount: u128) -> Result<(), CallError> {
    let answer: Result<(), DistributeError> = read_exact(token, ink::selector_bytes!("YieldDistributor::distribute"), amount)?;
    answer.map_err(CallError::Distribution)
}

/// What the identity registry keeps about `account` (`None`: not registered).
pub fn credential(registry: AccountId, account: AccountId) -> Result<Option<Credential>, CallError> {
    let registry: ink::contract_ref!(IdentityCheck, DefaultEnvironment) = registry.into();
    flatten(registry.call().credential(account).try_invoke())
}

/// Weight a binding notice may use: ten times what a token needs, and a cap, so that a broken
/// token cannot spend the registry's whole call (unbinding it must always be possible).
pub const NOTICE_REF_TIME: u64 = 50_000_000_000;
/// Proof size a binding notice may use (the token's code and a few storage cells fit easily).
pub const NOTICE_PROOF_SIZE: u64 = 1_048_576;

/// Tells a token it was bound or unbound, within [`NOTICE_REF_TIME`] and [`NOTICE_PROOF_SIZE`];
/// any failure (including the token's refusal or running out of that weight) is an error.
pub fn binding_changed(token: AccountId, bound: bool) -> Result<(), CallError> {
    let mut token: ink::contract_ref!(IdentityListener, DefaultEnvironment) = token.into();
    let call = token.call_mut().binding_changed(bound).ref_time_limit(NOTICE_REF_TIME).proof_size_limit(NOTICE_PROOF_SIZE);
    flatten(call.try_invoke())?.map_err(CallError::Push)
}

/// Pushes identity changes to a bound token; any failure (including the token's refusal) is an error.
pub fn identities_changed(token: AccountId, changes: Vec<(AccountId, Option<Credential>)>) -> Result<(), CallError> {
    let mut token: ink::contract_ref!(IdentityListener, DefaultEnvironment) = token.into();
    flatten(token.call_mut().identities_changed(changes.into()).try_invoke())?.map_err(CallError::Push)
}

/// Applies `ops` on the GPU-hour token as its admin: the token's refusal is the inner error.
pub fn token_admin(token: AccountId, ops: Vec<AdminOp>) -> Result<Result<Vec<AdminOutcome>, TokenError>, CallError> {
    let mut token: ink::contract_ref!(TokenAdmin, DefaultEnvironment) = token.into();
    flatten(token.call_mut().admin(ops.into()).try_invoke())
}

/// Finalizes `epoch` of `feed` on the utilization oracle where its rules allow (`None`: not final;
/// `UtilizationFeed::finalize_epoch`, sent by selector).
#[inline]
pub fn finalize_epoch(oracle: AccountId, feed: u32, epoch: u64) -> Result<Option<Finalized>, CallError> {
    read_exact(oracle, ink::selector_bytes!("UtilizationFeed::finalize_epoch"), (feed, epoch))
}

/// The epoch schedule of `feed` from the utilization oracle (`None`: no such feed;
/// `UtilizationFeed::schedule`, sent by selector).
#[inline]
pub fn feed_schedule(oracle: AccountId, feed: u32) -> Result<Option<EpochSchedule>, CallError> {
    read_exact(oracle, ink::selector_bytes!("UtilizationFeed::schedule"), feed)
}

/// Bytes passed through SCALE as they are: one call path for every message a contract sends by
/// selector (each typed call builder would be its own copy of that code in the Wasm).
pub struct Raw(pub Vec<u8>);

impl Decode for Raw {
    fn decode<I: Input>(input: &mut I) -> Result<Self, ink::scale::Error> {
        let mut bytes = Vec::new();
        while let Ok(byte) = input.read_byte() {
            bytes.push(byte);
        }
        Ok(Raw(bytes))
    }
}

impl Encode for Raw {
    fn size_hint(&self) -> usize {
        self.0.len()
    }

    fn encode_to<O: Output + ?Sized>(&self, dest: &mut O) {
        dest.write(&self.0);
    }
}

/// Calls `selector` of `callee` with `args`; returns the answer's bytes (a failed call, a trap or
/// a wrong address is `CallFailed`; a callee's refusal is in the bytes).
pub fn raw(callee: AccountId, selector: [u8; 4], args: impl Encode) -> Result<Vec<u8>, CallError> {
    let input = ExecutionInput::new(Selector::new(selector)).push_arg(Raw(args.encode()));
    match build_call::<DefaultEnvironment>().call(callee).exec_input(input).returns::<Raw>().try_invoke() {
        Ok(Ok(Raw(bytes))) => Ok(bytes),
        _ => Err(CallError::CallFailed),
    }
}

/// `raw`, with the answer decoded as `T` (an answer of another shape is `CallFailed`). Bytes after
/// `T` are left unread: the vault reads prefixes of larger answers this way.
pub fn read<T: Decode>(callee: AccountId, selector: [u8; 4], args: impl Encode) -> Result<T, CallError> {
    T::decode(&mut raw(callee, selector, args)?.as_slice()).map_err(|_| CallError::CallFailed)
}

/// `raw`, with the whole answer decoded as `T`: bytes left after it are `CallFailed`, as with
/// ink's typed call builders (review 15: a token answering `Ok(n)` to `distribute` without pulling
/// the yield must not count as paid).
pub fn read_exact<T: Decode>(callee: AccountId, selector: [u8; 4], args: impl Encode) -> Result<T, CallError> {
    decode_exact(&raw(callee, selector, args)?)
}

/// `answer` decoded whole as `T`.
fn decode_exact<T: Decode>(answer: &[u8]) -> Result<T, CallError> {
    T::decode_all(&mut &answer[..]).map_err(|_| CallError::CallFailed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Review 15: decoded as a prefix, `Ok` followed by more bytes (a token answering
    /// `Result<u128, _>`) was a payment.
    #[test]
    fn an_answer_with_trailing_bytes_is_a_failed_call() {
        type Answer = Result<(), DistributeError>;
        assert_eq!(decode_exact::<Answer>(&[0]), Ok(Ok(())));
        assert_eq!(decode_exact::<Answer>(&Answer::Err(DistributeError::NotDistributor).encode()), Ok(Err(DistributeError::NotDistributor)));
        assert_eq!(decode_exact::<Answer>(&[0, 1, 0, 0, 0]), Err(CallError::CallFailed));
        assert_eq!(decode_exact::<Answer>(&[]), Err(CallError::CallFailed));
        assert_eq!(decode_exact::<Option<u64>>(&Some(7u64).encode()), Ok(Some(7)));
        assert_eq!(decode_exact::<Option<u64>>(&[1, 7, 0, 0, 0, 0, 0, 0, 0, 9]), Err(CallError::CallFailed));
    }
}
