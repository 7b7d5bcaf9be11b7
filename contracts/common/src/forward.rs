//! `forward`, with which a front build (the token's, the oracle's, the vault's, the escrow's)
//! hands a message to its full build's code, and `Fwd<T>`: a message argument a front hands on
//! undecoded (the token's batches and identity pushes, the escrow's offer).
//!
//! A front runs the messages it hands on in its full build by delegate call with the call's own
//! input, so it never needs their arguments; decoding them would only add their decoders to the
//! code every everyday call loads. `Fwd<T>` is encoded, described (metadata) and, in every build
//! but a front's, decoded exactly as `T`: callers, clients and the metadata see `T`. In a build
//! with this crate's `front` feature (enabled by every front) it decodes as `T::default()` without
//! reading, and the front forwards before the value could be used; `into_inner` there reverts the call, so a
//! message that lost its forward line fails instead of acting on an empty value. Only as a
//! message's last argument: in the front it reads no bytes, so an argument after it would be
//! decoded from its bytes.
use ink::scale::{Decode, Encode, Error, Input, Output};
use scale_info::{Type, TypeInfo};

/// `T` as a message argument of a forwarded message (see the module).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fwd<T>(T);

impl<T> From<T> for Fwd<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> Fwd<T> {
    /// The value; in a front build (which never decoded it) the call reverts.
    pub fn into_inner(self) -> T {
        if cfg!(feature = "front") {
            panic!()
        }
        self.0
    }
}

/// `TokenAdmin::admin`'s operations (the metadata shows this name and `Vec<AdminOp>`'s type).
pub type AdminOps = Fwd<ink::prelude::vec::Vec<crate::AdminOp>>;

/// `IdentityListener::identities_changed`'s records: each account with what the registry now says
/// of it (`None`: removed).
pub type IdentityChanges = Fwd<ink::prelude::vec::Vec<(ink::primitives::AccountId, Option<crate::Credential>)>>;

/// Accounts the token's `sync` copies from its registry.
pub type Accounts = Fwd<ink::prelude::vec::Vec<ink::primitives::AccountId>>;

impl<T: Encode> Encode for Fwd<T> {
    fn size_hint(&self) -> usize {
        self.0.size_hint()
    }

    fn encode_to<O: Output + ?Sized>(&self, dest: &mut O) {
        self.0.encode_to(dest)
    }
}

impl<T: Decode + Default> Decode for Fwd<T> {
    fn decode<I: Input>(input: &mut I) -> Result<Self, Error> {
        if cfg!(feature = "front") {
            return Ok(Self(T::default()));
        }
        T::decode(input).map(Self)
    }
}

impl<T: TypeInfo + 'static> TypeInfo for Fwd<T> {
    type Identity = T::Identity;

    fn type_info() -> Type {
        T::type_info()
    }
}

/// Runs this call's own input in `logic`'s code on the calling contract's storage (a delegate call
/// with `FORWARD_INPUT | TAIL_CALL`) and never returns: the logic's output or revert is the call's.
/// A front build (a contract's code that answers its frequent messages itself) starts each message
/// it hands on with this; the rest of that message's body is the full build's and the front drops
/// it. Reverts when the logic cannot run (missing code, or a trap in it).
#[inline(never)]
pub fn forward(logic: &ink::primitives::Hash) -> ! {
    use ink::env::call::{build_call, ExecutionInput, Selector};
    use ink::env::{CallFlags, DefaultEnvironment};
    let _ = build_call::<DefaultEnvironment>()
        .delegate(*logic)
        .call_flags(CallFlags::FORWARD_INPUT | CallFlags::TAIL_CALL)
        .exec_input(ExecutionInput::new(Selector::new([0; 4])))
        .returns::<()>()
        .try_invoke();
    panic!()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ink::prelude::vec;

    #[test]
    fn it_is_its_value_on_the_wire_and_in_the_metadata() {
        let value = vec![(1u32, Some(2u64)), (3, None)];
        assert_eq!(Fwd::from(value.clone()).encode(), value.encode());
        let decoded = Fwd::<Vec<(u32, Option<u64>)>>::decode(&mut &value.encode()[..]).map(Fwd::into_inner);
        assert_eq!(decoded, Ok(value));
        assert_eq!(scale_info::meta_type::<Fwd<Vec<u8>>>(), scale_info::meta_type::<Vec<u8>>());
        assert_eq!(Fwd::<Vec<(u32, Option<u64>)>>::type_info(), Vec::<(u32, Option<u64>)>::type_info());
    }
}
