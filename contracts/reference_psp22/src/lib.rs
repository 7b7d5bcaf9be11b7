//! The reference PSP22 for `scripts/bench.sh`: Cardinal-Cryptography's `psp22` 2.0.0 example
//! token, unchanged (constructor `new(supply, name, symbol, decimals)`). Linking the crate is all
//! it takes; the contract's code, exports and metadata are Cardinal's.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use psp22;
