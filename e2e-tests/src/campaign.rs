//! A seeded random campaign on the real Wasm (drink): all eight contracts deployed from the
//! release artifacts, random sequences of every public message by every kind of actor —
//! issuer, agent, verified, unverified and expired investors, renters, honest and lying
//! reporters, operator, arbiters, outsiders — while time advances.
//!
//! After every step it checks, from chain state: stablecoin conservation (Σ balances of every
//! account and contract == total supply == minted), the escrow's books and solvency, the
//! token's yield solvency and supply cap, bookings within the pool, and the honest-majority
//! property of every finalized oracle epoch. A trap, a panic or an untyped revert is a
//! failure: every refusal must be a contract's typed `Err`. At the end time runs past every
//! rental and stream, and liveness is checked: every epoch reaches a final state, the escrow
//! drains to zero and every party withdraws exactly what it is owed.
//!
//! Operations carry raw random parameters that are interpreted against the state they meet,
//! so any sub-sequence is still a valid run: that is what lets `shrink` cut a failing run down.
use crate::sandbox::{account, arbiter, ink_id, operator, report, reporters, Suite, HOUR};
use crate::TestResult;
use compute_rwa_common::{Credential, Finalized};
use drink::session::NO_ENDOWMENT;
use drink::AccountId32;
use ink::primitives::AccountId;
use gpu_hour_token::gpu_hour_token::{Holding, TokenState};
use utilization_oracle::oracle::Eligibility;
use ink::scale::Decode;
use credit_vault::credit_vault::{Error as VaultError, VaultState};
use credit_vault::vault::Position;
use gpu_market::gpu_market::MarketState;
use gpu_market::market::Order;
use rental_escrow::escrow::{EpochState, Error as EscrowError, Quote, Rental, Totals};
use std::collections::BTreeMap;
use std::fmt;

const USDC: u128 = 1_000_000;
/// The suite's feed.
const FEED: &str = "0";
/// Every this many steps, every invariant is re-checked and every balance re-read (in between,
/// only what the step could move: see `Scope`).
const FULL_CHECK_EVERY: usize = 50;

/// SplitMix64: small, seedable, the same on every machine.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Which contract an operation is aimed at (for the mix and the per-contract counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    Token,
    Admin,
    Registry,
    Stablecoin,
    Oracle,
    Escrow,
    Vault,
    Market,
    Time,
}

/// Every kind of operation, with its weight in the mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Transfer,
    Approve,
    TransferFrom,
    Mint,
    BurnFrom,
    ForcedTransfer,
    Freeze,
    FreezePartial,
    UnfreezePartial,
    Pause,
    Rules,
    Recover,
    Redeem,
    Fulfill,
    Claim,
    Attest,
    YieldPeriod,
    Distributor,
    Identity,
    RemoveIdentity,
    Bind,
    Sync,
    CoinTransfer,
    CoinMint,
    Submit,
    Finalize,
    Governance,
    SetOffer,
    Open,
    Extend,
    Cancel,
    Settle,
    Dispute,
    Resolve,
    Withdraw,
    WithdrawFees,
    PushYield,
    Arbiter,
    Roles,
    VaultLend,
    VaultRedeem,
    VaultLock,
    VaultUnlock,
    VaultBorrow,
    VaultRepay,
    VaultRefresh,
    VaultSettle,
    VaultLiquidate,
    VaultGovern,
    MarketPost,
    MarketFill,
    MarketCancel,
    MarketClear,
    MarketGovern,
    Advance,
}

use Kind::*;

const MIX: &[(Kind, u64)] = &[
    (Transfer, 8),
    (Approve, 2),
    (TransferFrom, 3),
    (Mint, 4),
    (BurnFrom, 1),
    (ForcedTransfer, 2),
    (Freeze, 1),
    (FreezePartial, 1),
    (UnfreezePartial, 1),
    (Pause, 1),
    (Rules, 1),
    (Recover, 1),
    (Redeem, 2),
    (Fulfill, 1),
    (Claim, 4),
    (Attest, 1),
    (YieldPeriod, 1),
    (Distributor, 1),
    (Identity, 12),
    (RemoveIdentity, 5),
    (Bind, 1),
    (Sync, 2),
    (CoinTransfer, 12),
    (CoinMint, 4),
    (Submit, 12),
    (Finalize, 3),
    (Governance, 2),
    (SetOffer, 1),
    (Open, 6),
    (Extend, 2),
    (Cancel, 2),
    (Settle, 8),
    (Dispute, 2),
    (Resolve, 2),
    (Withdraw, 2),
    (WithdrawFees, 1),
    (PushYield, 1),
    (Arbiter, 1),
    (Roles, 3),
    (VaultLend, 3),
    (VaultRedeem, 2),
    (VaultLock, 3),
    (VaultUnlock, 2),
    (VaultBorrow, 4),
    (VaultRepay, 2),
    (VaultRefresh, 3),
    (VaultSettle, 1),
    (VaultLiquidate, 2),
    (VaultGovern, 1),
    (MarketPost, 4),
    (MarketFill, 4),
    (MarketCancel, 1),
    (MarketClear, 1),
    (MarketGovern, 1),
    (Advance, 9),
];

impl Kind {
    pub fn target(self) -> Target {
        match self {
            Transfer | Approve | TransferFrom | Claim | Sync => Target::Token,
            Mint | BurnFrom | ForcedTransfer | Freeze | FreezePartial | UnfreezePartial | Pause | Rules | Recover | Redeem | Fulfill | Attest
            | YieldPeriod | Distributor => Target::Admin,
            Identity | RemoveIdentity | Bind => Target::Registry,
            CoinTransfer | CoinMint => Target::Stablecoin,
            Submit | Finalize | Governance => Target::Oracle,
            SetOffer | Open | Extend | Cancel | Settle | Dispute | Resolve | Withdraw | WithdrawFees | PushYield | Arbiter => Target::Escrow,
            // Aimed at the registry, the pool admin or the stablecoin (`World::access`).
            Roles => Target::Registry,
            VaultLend | VaultRedeem | VaultLock | VaultUnlock | VaultBorrow | VaultRepay | VaultRefresh | VaultSettle | VaultLiquidate | VaultGovern => {
                Target::Vault
            }
            MarketPost | MarketFill | MarketCancel | MarketClear | MarketGovern => Target::Market,
            Advance => Target::Time,
        }
    }
}

/// One operation: a kind and raw parameters, interpreted against the state it meets.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Op {
    pub kind: Kind,
    pub a: u64,
    pub b: u64,
    pub c: u64,
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}({}, {}, {})", self.kind, self.a % 1000, self.b % 1000, self.c % 1000)
    }
}

/// `n` operations from `seed`.
pub fn generate(seed: u64, n: usize) -> Vec<Op> {
    let mut rng = Rng::new(seed);
    let total: u64 = MIX.iter().map(|(_, w)| w).sum();
    (0..n)
        .map(|_| {
            let mut pick = rng.next() % total;
            let kind = MIX.iter().find(|(_, w)| if pick < *w { true } else { pick -= w; false }).map_or(Advance, |(k, _)| *k);
            Op { kind, a: rng.next(), b: rng.next(), c: rng.next() }
        })
        .collect()
}

/// How a run ended badly.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Index of the operation after which it failed (`ops.len()` for the final liveness check).
    pub step: usize,
    pub message: String,
}

/// What a run did.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub ops: usize,
    pub accepted: usize,
    pub refused: usize,
    pub per_target: BTreeMap<String, (usize, usize)>,
    pub per_kind: BTreeMap<String, usize>,
    pub finalized_epochs: usize,
    pub rentals: u64,
    pub settled_epochs: usize,
}

impl Stats {
    pub fn merge(&mut self, other: &Stats) {
        self.ops += other.ops;
        self.accepted += other.accepted;
        self.refused += other.refused;
        self.finalized_epochs += other.finalized_epochs;
        self.rentals += other.rentals;
        self.settled_epochs += other.settled_epochs;
        for (k, (a, r)) in &other.per_target {
            let e = self.per_target.entry(k.clone()).or_default();
            e.0 += a;
            e.1 += r;
        }
        for (k, n) in &other.per_kind {
            *self.per_kind.entry(k.clone()).or_default() += n;
        }
    }
}

/// Outcome of one call.
enum Outcome {
    Accepted(Vec<u8>),
    Refused,
}

/// The raw bytes of a return value.
struct Raw(Vec<u8>);

impl Decode for Raw {
    fn decode<I: ink::scale::Input>(input: &mut I) -> Result<Self, ink::scale::Error> {
        let mut bytes = Vec::new();
        while let Ok(b) = input.read_byte() {
            bytes.push(b);
        }
        Ok(Raw(bytes))
    }
}

/// Which contracts' state a step may have changed, hence which invariants must be re-evaluated.
/// A refused call reverted, so it changed nothing; an accepted one changed the contract it
/// called and the contracts that one calls (the escrow calls the oracle, the token and the
/// stablecoin; the token calls the registry (`sync`) and the stablecoin; the registry pushes
/// identities to the token it binds; the oracle and the stablecoin call nothing). Every `FULL_CHECK_EVERY` steps everything is re-checked and
/// every balance re-read, which would also catch a step that moved more than its scope says.
#[derive(Debug, Clone, Copy)]
struct Scope {
    coin: bool,
    token: bool,
    escrow: bool,
    oracle: bool,
    /// The token's view of identities against the registry's.
    identity: bool,
}

impl Scope {
    const ALL: Scope = Scope { coin: true, token: true, escrow: true, oracle: true, identity: true };
    const NONE: Scope = Scope { coin: false, token: false, escrow: false, oracle: false, identity: false };

    fn after(target: Target, accepted: bool) -> Scope {
        if !accepted {
            return Scope::NONE;
        }
        match target {
            Target::Stablecoin => Scope { coin: true, ..Scope::NONE },
            // The admin drives the token: the same scope.
            Target::Token | Target::Admin => Scope { coin: true, token: true, identity: true, ..Scope::NONE },
            // Identities, pushed to the bound token: no balance moves.
            Target::Registry => Scope { identity: true, ..Scope::NONE },
            Target::Oracle => Scope { oracle: true, ..Scope::NONE },
            // The vault moves both assets (its books are checked with them).
            Target::Vault | Target::Market => Scope { coin: true, token: true, ..Scope::NONE },
            // Time moves the streamed yield, the bookable window and the epochs that just closed.
            Target::Escrow | Target::Time => Scope::ALL,
        }
    }
}

/// The world a campaign runs in.
struct World {
    suite: Suite,
    now: u64,
    /// Σ stablecoin minted by successful mints (plus the suite's initial mint).
    minted: u128,
    /// People (not contracts) whose balances are tracked.
    people: Vec<AccountId32>,
    /// Honest reports accepted per epoch: reporter → GPU milli-hours.
    honest: BTreeMap<u64, BTreeMap<u8, u64>>,
    /// Rentals opened.
    rentals: u64,
    /// Last read stablecoin and token balance of every tracked account and contract.
    coins: BTreeMap<AccountId32, u128>,
    tokens: BTreeMap<AccountId32, u128>,
    /// Whether the registry pushes to the token (governance binds and unbinds it).
    bound: bool,
    /// Investors whose credential the token holds void: none pushed or synced since its latest
    /// binding. The token must honour none for them (fail closed), and the registry's for the rest.
    stale: Vec<AccountId32>,
    /// Accounts a call since the last check named (caller or argument): only their balances can have moved.
    touched: Vec<AccountId32>,
    /// Redemption records checked so far (count, Σ amount).
    redemptions: (u64, u128),
    /// Ownership and role grants of the registry, the pool admin and the stablecoin, as they must be.
    access: [AccessModel; 3],
    /// The credit vault, and its share price at the last check as (assets + 1, shares + 1, bad debt).
    vault: AccountId32,
    vault_price: (u128, u128, u128),
    /// The GPU-hour market (fee 1% to the operator), and whether the last step was aimed at it.
    market: AccountId32,
    last_market: bool,
    stats: Stats,
}

/// What one contract's `Access` must hold: its owner, the proposed owner, and the accounts
/// granted its role set by the current owner (a completed hand-over voids them all).
#[derive(Debug, Clone)]
struct AccessModel {
    target: Target,
    role: &'static str,
    owner: AccountId32,
    pending: Option<AccountId32>,
    grants: Vec<AccountId32>,
}

// Actors.
fn issuer(w: &World) -> AccountId32 {
    w.suite.issuer.clone()
}
fn agent() -> AccountId32 {
    account(60)
}
fn outsider() -> AccountId32 {
    account(99)
}
/// Verified investors (2, 3, 4), the one whose KYC expires (5) and the never-registered one (6).
fn investors() -> [AccountId32; 5] {
    [account(2), account(3), account(4), account(5), account(6)]
}
fn renters() -> [AccountId32; 2] {
    [account(51), account(52)]
}
/// Honest reporters 31, 32 (and the spare 34); 33 lies.
fn honest_reporter(byte: u8) -> bool {
    byte != 33
}
/// Takes ownership of the registry, pool admin or stablecoin when it is handed to it.
fn heir() -> AccountId32 {
    account(61)
}
fn second_arbiter() -> AccountId32 {
    account(43)
}
/// KYC of account 5 expires at hour 20 of the campaign.
const EXPIRING_KYC: u64 = 20 * HOUR;

fn identity_arg(verified: bool, country: u16, expiry: u64) -> String {
    format!("Identity {{ verified: {verified}, country: {country}, kyc_expiry: {expiry}, class: Accredited, claim_hash: None }}")
}

impl World {
    fn new() -> TestResult<Self> {
        let mut suite = Suite::deploy()?;
        let issuer = suite.issuer.clone();
        let mut people: Vec<AccountId32> = vec![issuer.clone(), agent(), outsider(), operator(), arbiter(), second_arbiter(), heir()];
        people.extend(investors());
        people.extend(renters());
        people.extend(reporters());
        people.push(account(34));
        for who in &people {
            suite.fund(who)?;
        }
        let registry = suite.registry.clone();
        for (i, who) in investors().iter().take(4).enumerate() {
            let expiry = if i == 3 { EXPIRING_KYC } else { 4_102_444_800_000 };
            crate::sandbox::call_ok::<(), identity_registry::identity_registry::Error>(
                &mut suite.session,
                &registry,
                "register",
                &[who.to_string(), identity_arg(true, 276, expiry)],
            )?;
        }
        let grant = ["Agent".to_string(), agent().to_string(), "true".into()];
        for contract in [&registry, &suite.admin.clone()] {
            crate::sandbox::call_ok::<(), compute_rwa_common::AccessError>(&mut suite.session, contract, "AccessControl::set_role", &grant)?;
        }
        // A short yield stream so the campaign sees streams start, overlap and end.
        suite.admin_ok::<()>("set_yield_period", &[(2 * HOUR).to_string()])?;
        let vault = crate::sandbox::deploy_vault(&mut suite)?;
        let market_args = [suite.token.to_string(), suite.coin.to_string(), suite.oracle.to_string(), FEED.into(), "100".into(), operator().to_string()];
        let market = crate::sandbox::deploy(&mut suite.session, "gpu_market", "new", &market_args)?;
        let mut world = World {
            suite,
            now: 0,
            minted: 1_000_000_000_000,
            people,
            honest: BTreeMap::new(),
            rentals: 0,
            coins: BTreeMap::new(),
            tokens: BTreeMap::new(),
            bound: true,
            stale: Vec::new(),
            touched: Vec::new(),
            redemptions: (0, 0),
            access: [(Target::Registry, "Agent"), (Target::Admin, "Agent"), (Target::Stablecoin, "Minter")].map(|(target, role)| AccessModel {
                target,
                role,
                owner: issuer.clone(),
                pending: None,
                grants: if role == "Agent" { vec![agent()] } else { Vec::new() },
            }),
            vault,
            vault_price: (1, 1, 0),
            market,
            last_market: false,
            stats: Stats::default(),
        };
        for (i, who) in investors().iter().take(4).enumerate() {
            let amount = (100 + 50 * i as u128) * USDC;
            world.raw(&issuer, Target::Admin, "mint", &[who.to_string(), amount.to_string()])?;
        }
        for who in renters() {
            world.raw(&issuer, Target::Stablecoin, "mint", &[who.to_string(), (10_000 * USDC).to_string()])?;
            world.minted += 10_000 * USDC;
        }
        Ok(world)
    }

    fn address(&self, target: Target) -> AccountId32 {
        match target {
            Target::Token => self.suite.token.clone(),
            Target::Admin => self.suite.admin.clone(),
            Target::Registry => self.suite.registry.clone(),
            Target::Stablecoin => self.suite.coin.clone(),
            Target::Oracle => self.suite.oracle.clone(),
            Target::Escrow | Target::Time => self.suite.escrow.clone(),
            Target::Vault => self.vault.clone(),
            Target::Market => self.market.clone(),
        }
    }

    /// Calls `message` as `actor`; a typed `Err` is a refusal, anything else that fails is a bug.
    fn call(&mut self, actor: &AccountId32, target: Target, message: &str, args: &[String]) -> Result<Outcome, String> {
        let address = self.address(target);
        self.touched.push(actor.clone());
        self.touched.extend(args.iter().filter_map(|arg| arg.parse::<AccountId32>().ok()));
        self.suite.session.set_actor(actor.clone());
        let result = self.suite.session.call_with_address::<_, Raw>(address, message, args, NO_ENDOWMENT);
        self.suite.session.set_actor(self.suite.issuer.clone());
        match result {
            Ok(Ok(Raw(bytes))) => Ok(Outcome::Accepted(bytes)),
            Ok(Err(lang)) => Err(format!("{message}: ink! language error {lang:?}")),
            // A revert must carry `Ok(Err(typed error))`: MessageResult::Ok (0), Result::Err (1).
            Err(drink::session::error::SessionError::CallReverted(data)) if data.len() >= 2 && data[0] == 0 && data[1] == 1 => Ok(Outcome::Refused),
            Err(error) => Err(format!("{message}({args:?}) by {actor}: not a typed refusal: {error:?}")),
        }
    }

    /// A call that must be accepted (setup and liveness steps).
    fn raw(&mut self, actor: &AccountId32, target: Target, message: &str, args: &[String]) -> TestResult<Vec<u8>> {
        match self.call(actor, target, message, args)? {
            Outcome::Accepted(bytes) => Ok(bytes),
            Outcome::Refused => Err(format!("{message}({args:?}) by {actor} was refused").into()),
        }
    }

    /// A read through a dry run (nothing recorded, nothing changed).
    fn read<T: Decode>(&mut self, target: Target, message: &str, args: &[String]) -> Result<T, String> {
        let address = self.address(target);
        let result = self.suite.session.dry_run_call(address, message, args, NO_ENDOWMENT).map_err(|e| format!("read {message}: {e:?}"))?;
        let value = result.result.map_err(|e| format!("read {message}: {e:?}"))?;
        let decoded = ink::MessageResult::<T>::decode(&mut &value.data[..]).map_err(|e| format!("read {message}: {e}"))?;
        decoded.map_err(|e| format!("read {message}: {e:?}"))
    }

    fn coin_balance(&mut self, who: &AccountId32) -> Result<u128, String> {
        self.read(Target::Stablecoin, "PSP22::balance_of", &[who.to_string()])
    }

    fn token_balance(&mut self, who: &AccountId32) -> Result<u128, String> {
        self.read(Target::Token, "PSP22::balance_of", &[who.to_string()])
    }

    fn epoch(&self) -> u64 {
        self.now / HOUR
    }

    fn pick<T: Clone>(items: &[T], r: u64) -> T {
        items[(r % items.len() as u64) as usize].clone()
    }

    /// Anyone at all: every actor kind, weighted to people who can act.
    fn anyone(&self, r: u64) -> AccountId32 {
        let mut all: Vec<AccountId32> = self.people.clone();
        all.push(self.suite.issuer.clone());
        Self::pick(&all, r)
    }

    /// Token holders and would-be holders.
    fn holder(r: u64) -> AccountId32 {
        let mut all = investors().to_vec();
        all.push(outsider());
        Self::pick(&all, r)
    }

    /// Issuer, agent or an outsider (privileged messages).
    fn governor(&self, r: u64) -> AccountId32 {
        Self::pick(&[self.suite.issuer.clone(), agent(), outsider(), account(2), heir()], r)
    }

    /// The most fee a market caller accepts: mostly the cap, one time in four any fee up to it
    /// (below what the market charges, the call is refused with `FeeAboveLimit`).
    fn fee_limit(r: u64) -> u64 {
        let cap = u64::from(gpu_market::market::MAX_FEE_BPS);
        if (r >> 17) % 4 == 0 { (r >> 19) % (cap + 1) } else { cap }
    }

    fn amount(balance: u128, r: u64) -> u128 {
        // Mostly within the balance, sometimes 0 or above it.
        match r % 8 {
            0 => 0,
            1 => balance.saturating_add(1 + u128::from(r % 1_000)),
            _ => u128::from(r >> 8) % balance.saturating_add(1).max(1),
        }
    }

    fn rental(&mut self, id: u64) -> Result<Option<Rental>, String> {
        self.read::<Result<Rental, rental_escrow::rental_escrow::Error>>(Target::Escrow, "rental", &[id.to_string()]).map(Result::ok)
    }

    /// A registry change reaches the token (and renews the account there) only while bound.
    fn identity_changed(&mut self, outcome: &Outcome, who: &AccountId32) {
        if matches!(outcome, Outcome::Accepted(_)) && self.bound {
            self.stale.retain(|stale| stale != who);
        }
    }

    /// Applies one operation; `Ok(accepted)`.
    fn apply(&mut self, op: Op) -> Result<bool, String> {
        let Op { kind, a, b, c } = op;
        let t = kind.target();
        self.last_market = t == Target::Market;
        let outcome = match kind {
            Transfer => {
                let (from, to) = (Self::holder(a), Self::holder(b));
                let amount = Self::amount(self.token_balance(&from)?, c);
                self.call(&from, t, "PSP22::transfer", &[to.to_string(), amount.to_string(), "[]".into()])?
            }
            Approve => {
                let (owner, spender) = (Self::holder(a), Self::holder(b));
                let amount = u128::from(c % 500) * USDC;
                self.call(&owner, t, "PSP22::approve", &[spender.to_string(), amount.to_string()])?
            }
            TransferFrom => {
                let (spender, from, to) = (Self::holder(a), Self::holder(b), Self::holder(c));
                let amount = Self::amount(self.token_balance(&from)?, c >> 3);
                self.call(&spender, t, "PSP22::transfer_from", &[from.to_string(), to.to_string(), amount.to_string(), "[]".into()])?
            }
            Mint => {
                let (caller, to) = (self.governor(a), Self::holder(b));
                self.call(&caller, t, "mint", &[to.to_string(), (u128::from(c % 300) * USDC).to_string()])?
            }
            BurnFrom => {
                let (caller, from) = (self.governor(a), Self::holder(b));
                let amount = Self::amount(self.token_balance(&from)?, c);
                self.call(&caller, t, "burn_from", &[from.to_string(), amount.to_string()])?
            }
            ForcedTransfer => {
                let (caller, from, to) = (self.governor(a), Self::holder(b), Self::holder(c));
                let amount = Self::amount(self.token_balance(&from)?, c >> 5);
                self.call(&caller, t, "forced_transfer", &[from.to_string(), to.to_string(), amount.to_string()])?
            }
            Freeze => {
                let (caller, who) = (self.governor(a), Self::holder(b));
                self.call(&caller, t, "set_frozen", &[who.to_string(), (c % 3 == 0).to_string()])?
            }
            FreezePartial | UnfreezePartial => {
                let (caller, who) = (self.governor(a), Self::holder(b));
                let amount = Self::amount(self.token_balance(&who)?, c);
                let message = if kind == FreezePartial { "freeze_partial" } else { "unfreeze_partial" };
                self.call(&caller, t, message, &[who.to_string(), amount.to_string()])?
            }
            Pause => {
                let caller = self.governor(a);
                self.call(&caller, t, if b % 2 == 0 { "pause" } else { "unpause" }, &[])?
            }
            Rules => {
                let caller = self.governor(a);
                let max_holders = b % 7;
                let max_balance = if c % 3 == 0 { 0 } else { u128::from(c % 1_000) * USDC };
                let blocked = if (c >> 10) % 4 == 0 { "[250]" } else { "[]" };
                // The class, transfer-limit and lockup modules, each on about a third of the time.
                let classes = if (c >> 12) % 3 == 0 { (c >> 14) % 16 } else { 0 };
                let (limit, window) = if (c >> 18) % 3 == 0 { (u128::from((c >> 20) % 500 + 1) * USDC, ((c >> 22) % 120 + 1) * 60_000) } else { (0, 0) };
                let lockup = if (c >> 26) % 3 == 0 { ((c >> 28) % 180) * 60_000 } else { 0 };
                let rules = format!(
                    "ComplianceRules {{ max_holders: {max_holders}, max_balance: {max_balance}, blocked_countries: {blocked}, \
                     allowed_classes: {classes}, transfer_limit: {limit}, transfer_window: {window}, lockup: {lockup} }}"
                );
                self.call(&caller, t, "set_compliance", &[rules])?
            }
            Recover => {
                let (caller, lost, new) = (self.governor(a), Self::holder(b), Self::holder(c));
                self.call(&caller, t, "recover", &[lost.to_string(), new.to_string()])?
            }
            Redeem => {
                let who = Self::holder(a);
                let amount = Self::amount(self.token_balance(&who)?, b);
                self.call(&who, t, "redeem", &[amount.to_string()])?
            }
            Fulfill => {
                let caller = self.governor(a);
                let count: u64 = self.read(t, "redemption_count", &[])?;
                self.call(&caller, t, "fulfill_redemption", &[(b % count.max(1)).to_string()])?
            }
            Claim => {
                let who = Self::holder(a);
                self.call(&who, t, "claim", &[])?
            }
            Attest => {
                let caller = self.governor(a);
                let supply: u128 = self.read(Target::Token, "PSP22::total_supply", &[])?;
                let redeemed = self.read::<TokenState>(Target::Token, "state", &[])?.redeemed;
                // Around what is issued: sometimes below it (refused), sometimes lowering, sometimes raising.
                let issued_hours = u64::try_from((supply + redeemed) / USDC).unwrap_or(u64::MAX);
                let hours = issued_hours.saturating_add(b % 800).saturating_sub(c % 50);
                self.call(&caller, t, "attest_capacity", &[hours.to_string(), format!("0x{}", "cd".repeat(32)), "\"ipfs://re\"".into()])?
            }
            YieldPeriod => {
                let caller = self.governor(a);
                let period = [500, 1_000, HOUR, 2 * HOUR, 6 * HOUR][(b % 5) as usize];
                self.call(&caller, t, "set_yield_period", &[period.to_string()])?
            }
            Distributor => {
                // The owner revokes or restores the escrow's distributor role: settlement must go on regardless.
                let caller = Self::pick(&[self.suite.issuer.clone(), outsider()], a);
                let escrow = self.suite.escrow.clone();
                self.call(&caller, t, "set_distributor", &[escrow.to_string(), (b % 3 != 0).to_string()])?
            }
            Identity => {
                let (caller, who) = (self.governor(a), Self::pick(&investors()[..4], b));
                let (verified, country, expiry) = match c % 5 {
                    0 => (false, 276, 4_102_444_800_000),
                    1 => (true, 250, 4_102_444_800_000),
                    2 => (true, 276, self.now + HOUR),
                    _ => (true, 276, 4_102_444_800_000),
                };
                let message = if (c >> 8) % 2 == 0 { "update" } else { "register" };
                let outcome = self.call(&caller, Target::Registry, message, &[who.to_string(), identity_arg(verified, country, expiry)])?;
                self.identity_changed(&outcome, &who);
                outcome
            }
            RemoveIdentity => {
                let (caller, who) = (self.governor(a), Self::pick(&investors()[..4], b));
                let outcome = self.call(&caller, Target::Registry, "remove", &[who.to_string()])?;
                self.identity_changed(&outcome, &who);
                outcome
            }
            Bind => {
                let caller = Self::pick(&[self.suite.issuer.clone(), agent(), outsider()], a);
                let bind = b % 3 != 0;
                let outcome = if bind {
                    self.call(&caller, t, "bind_token", &[self.suite.token.to_string()])?
                } else {
                    self.call(&caller, t, "unbind_token", &[self.suite.token.to_string(), (c % 2 == 0).to_string()])?
                };
                if matches!(outcome, Outcome::Accepted(_)) {
                    self.bound = bind;
                    // A new binding voids every credential the token kept.
                    if bind {
                        self.stale = investors().to_vec();
                    }
                }
                outcome
            }
            Sync => {
                let caller = self.anyone(a);
                let accounts: Vec<AccountId32> = investors().into_iter().enumerate().filter(|(i, _)| (b >> i) & 1 == 1).map(|(_, who)| who).collect();
                let list: Vec<String> = accounts.iter().map(ToString::to_string).collect();
                let outcome = self.call(&caller, t, "sync", &[format!("[{}]", list.join(", "))])?;
                if matches!(outcome, Outcome::Accepted(_)) {
                    self.stale.retain(|who| !accounts.contains(who));
                }
                outcome
            }
            CoinTransfer => {
                let (from, to) = (self.anyone(a), self.anyone(b));
                let amount = Self::amount(self.coin_balance(&from)?, c);
                self.call(&from, t, "PSP22::transfer", &[to.to_string(), amount.to_string(), "[]".into()])?
            }
            CoinMint => {
                let caller = Self::pick(&[self.suite.issuer.clone(), outsider(), account(51)], a);
                let to = Self::pick(&renters(), b);
                let amount = u128::from(c % 1_000) * USDC;
                let outcome = self.call(&caller, t, "mint", &[to.to_string(), amount.to_string()])?;
                if matches!(outcome, Outcome::Accepted(_)) {
                    self.minted += amount;
                }
                outcome
            }
            Submit => {
                let who = [31u8, 32, 33, 34, 99][(a % 5) as usize];
                let current = self.epoch();
                let epoch = current.saturating_sub(1 + b % 2);
                // Honest reporters see what the pool did (a function of the epoch, with small noise); the liar says anything.
                let truth = 4_000 + (epoch * 977) % 3_900;
                let (milli, uptime) = if honest_reporter(who) { (truth + c % 40, 9_900 + (c % 50) as u16) } else { (c % 8_001, (c % 10_001) as u16) };
                let outcome = self.call(&account(who), t, "submit", &[FEED.into(), epoch.to_string(), report(milli, uptime)])?;
                if matches!(outcome, Outcome::Accepted(_)) && honest_reporter(who) && who != 99 {
                    self.honest.entry(epoch).or_default().insert(who, milli);
                }
                outcome
            }
            Finalize => {
                let caller = self.anyone(a);
                let epoch = self.epoch().saturating_sub(1 + b % 3);
                self.call(&caller, t, "finalize", &[FEED.into(), epoch.to_string()])?
            }
            Governance => {
                let caller = Self::pick(&[self.suite.issuer.clone(), outsider()], a);
                match b % 5 {
                    0 => self.call(&caller, t, "add_reporter", &[FEED.into(), account(34).to_string()])?,
                    1 => self.call(&caller, t, "remove_reporter", &[FEED.into(), account(34).to_string()])?,
                    2 => self.call(&caller, t, "set_quorum", &[FEED.into(), (1 + c % 3).to_string()])?,
                    3 => self.call(&caller, t, "evict_reporter", &[FEED.into(), account(33).to_string()])?,
                    _ => self.call(&caller, t, "add_reporter", &[FEED.into(), account(33).to_string()])?,
                }
            }
            Roles => self.roles(a, b, c)?,
            SetOffer => {
                let caller = Self::pick(&[operator(), outsider()], a);
                let gpus = 1 + b % 10;
                let price = 1 + c % 4;
                // A demand curve half the time (sometimes too steep: refused), else flat.
                let (kink, below, above) = if (b >> 8) % 2 == 0 { ((b >> 10) % 10, (b >> 16) % 300_000, (b >> 24) % 3_000_000) } else { (0, 0, 0) };
                let offer = format!(
                    "Offer {{ price_per_gpu_hour: {}, min_epochs: 1, max_epochs: 24, available_gpus: {gpus}, \
                     sla: [SlaTier {{ below_bps: 9900, credit_bps: 1000 }}, SlaTier {{ below_bps: 9500, credit_bps: 3000 }}], \
                     cancellation_fee_bps: {}, cancellation_notice_ms: {}, kink_gpus: {kink}, slope_below: {below}, slope_above: {} }}",
                    u128::from(price) * USDC,
                    (c >> 4) % 2_000,
                    ((c >> 12) % 4) * HOUR,
                    below + above
                );
                self.call(&caller, t, "set_offer", &[offer])?
            }
            Open => {
                let renter = Self::pick(&renters(), a);
                let escrow = self.suite.escrow.clone();
                self.call(&renter, Target::Stablecoin, "PSP22::approve", &[escrow.to_string(), (5_000 * USDC).to_string()])?;
                let gpus = 1 + b % 9;
                let start = self.epoch() + (c % 5);
                let epochs = 1 + (c >> 8) % 4;
                let booking = [gpus.to_string(), start.to_string(), epochs.to_string()];
                let quote: Result<Quote, EscrowError> = self.read(t, "quote", &booking)?;
                // The quote's deposit as the limit 3 times in 4, else one unit below it (PriceMoved).
                let limit = quote.map_or(u128::MAX, |q| if (c >> 12) % 4 == 0 { q.deposit.saturating_sub(1) } else { q.deposit });
                let outcome = self.call(&renter, t, "open", &[booking[0].clone(), booking[1].clone(), booking[2].clone(), limit.to_string()])?;
                match (&outcome, quote) {
                    (Outcome::Accepted(_), Ok(quote)) => {
                        let rental = self.rental(self.rentals)?.ok_or("the opened rental is missing")?;
                        if rental.ledger.deposited != quote.deposit || quote.deposit > limit {
                            return Err(format!("rental {} deposited {} at limit {limit}, quoted {quote:?}", rental.id, rental.ledger.deposited));
                        }
                        self.rentals += 1;
                    }
                    (Outcome::Accepted(_), Err(error)) => return Err(format!("open accepted what quote refused ({error:?})")),
                    (Outcome::Refused, Ok(quote)) if quote.deposit <= limit && self.coin_balance(&renter)? >= quote.deposit => {
                        return Err(format!("open refused at limit {limit} a funded booking quoted {quote:?}"));
                    }
                    _ => {}
                }
                outcome
            }
            Extend => {
                let id = a % self.rentals.max(1);
                let renter = match self.rental(id)? {
                    Some(r) if b % 4 != 0 => AccountId32::new(*r.renter.as_ref()),
                    _ => outsider(),
                };
                let escrow = self.suite.escrow.clone();
                self.call(&renter, Target::Stablecoin, "PSP22::approve", &[escrow.to_string(), (5_000 * USDC).to_string()])?;
                self.call(&renter, t, "extend", &[id.to_string(), (1 + c % 3).to_string(), u128::MAX.to_string()])?
            }
            Cancel => {
                let id = a % self.rentals.max(1);
                let caller = match self.rental(id)? {
                    Some(r) if b % 4 != 0 => AccountId32::new(*r.renter.as_ref()),
                    _ => outsider(),
                };
                self.call(&caller, t, "cancel", &[id.to_string()])?
            }
            Settle | Dispute | Resolve => {
                let id = a % self.rentals.max(1);
                let Some(rental) = self.rental(id)? else { return Ok(false) };
                let span = rental.end.saturating_sub(rental.start).max(1);
                let epoch = rental.start + b % span;
                match kind {
                    Settle => {
                        let caller = self.anyone(c);
                        self.call(&caller, t, "settle", &[id.to_string(), epoch.to_string()])?
                    }
                    Dispute => {
                        let caller = Self::pick(&[AccountId32::new(*rental.renter.as_ref()), operator(), outsider()], c);
                        self.call(&caller, t, "dispute", &[id.to_string(), epoch.to_string()])?
                    }
                    _ => {
                        let caller = Self::pick(&[arbiter(), second_arbiter(), outsider()], c);
                        let refund = u128::from(c >> 4) % rental.epoch_cost.saturating_add(2);
                        self.call(&caller, t, "resolve", &[id.to_string(), epoch.to_string(), refund.to_string()])?
                    }
                }
            }
            Withdraw => {
                let caller = Self::pick(&[account(51), account(52), outsider(), operator()], a);
                self.call(&caller, t, "withdraw", &[])?
            }
            WithdrawFees => {
                let caller = Self::pick(&[operator(), outsider()], a);
                self.call(&caller, t, "withdraw_fees", &[])?
            }
            PushYield => {
                let caller = self.anyone(a);
                self.call(&caller, t, "push_yield", &[])?
            }
            Arbiter => match a % 3 {
                0 => {
                    let caller = Self::pick(&[self.suite.issuer.clone(), outsider()], b);
                    let next = Self::pick(&[arbiter(), second_arbiter()], c);
                    self.call(&caller, t, "propose_arbiter", &[format!("Some({next})")])?
                }
                _ => {
                    let caller = Self::pick(&[arbiter(), second_arbiter(), outsider()], b);
                    self.call(&caller, t, "accept_arbiter", &[])?
                }
            },
            VaultLend | VaultRedeem | VaultLock | VaultUnlock | VaultBorrow | VaultRepay | VaultRefresh | VaultSettle | VaultLiquidate | VaultGovern => {
                self.vault_op(kind, a, b, c)?
            }
            MarketPost | MarketFill | MarketCancel | MarketClear | MarketGovern => self.market_op(kind, a, b, c)?,
            Advance => {
                self.now += (a % 90) * 60_000;
                self.suite.set_time(self.now);
                Outcome::Accepted(Vec::new())
            }
        };
        Ok(matches!(outcome, Outcome::Accepted(_)))
    }

    /// Lenders: investors and renters (who hold the stablecoin).
    fn lender(r: u64) -> AccountId32 {
        let mut all = investors().to_vec();
        all.extend(renters());
        Self::pick(&all, r)
    }

    /// What `who` holds in the vault: (collateral, debt now, credit).
    fn vault_position(&mut self, who: &AccountId32) -> Result<(u128, u128, u128), String> {
        let (position, debt) = self.read::<Result<(Position, u128), VaultError>>(Target::Vault, "position", &[who.to_string()])?.map_err(|e| format!("position: {e:?}"))?;
        Ok((position.collateral, debt, position.credit))
    }

    /// One credit-vault operation by anyone, with amounts mostly within what the caller has.
    fn vault_op(&mut self, kind: Kind, a: u64, b: u64, c: u64) -> Result<Outcome, String> {
        let t = Target::Vault;
        let vault = self.vault.clone();
        let approve = |w: &mut Self, who: &AccountId32, target: Target, amount: u128| w.call(who, target, "PSP22::approve", &[vault.to_string(), amount.to_string()]);
        Ok(match kind {
            VaultLend => {
                let lender = Self::lender(a);
                let amount = Self::amount(self.coin_balance(&lender)?, c);
                approve(self, &lender, Target::Stablecoin, amount)?;
                self.call(&lender, t, "deposit", &[amount.to_string()])?
            }
            VaultRedeem => {
                let lender = Self::lender(a);
                let (shares, _): (u128, u128) = self.read::<Result<(u128, u128), VaultError>>(t, "lender", &[lender.to_string()])?.map_err(|e| format!("lender: {e:?}"))?;
                let part = shares.saturating_mul(u128::from(1 + b % 100)) / 100;
                self.call(&lender, t, if c % 2 == 0 { "redeem" } else { "withdraw" }, &[part.to_string()])?
            }
            VaultLock => {
                let who = Self::holder(a);
                let amount = Self::amount(self.token_balance(&who)?, c);
                approve(self, &who, Target::Token, amount)?;
                self.call(&who, t, "lock", &[amount.to_string()])?
            }
            VaultUnlock => {
                let who = Self::holder(a);
                let (collateral, ..) = self.vault_position(&who)?;
                self.call(&who, t, "unlock", &[Self::amount(collateral, c).to_string()])?
            }
            VaultBorrow => {
                let who = Self::holder(a);
                self.call(&who, t, "borrow", &[(u128::from(c % 400) * USDC / 4).to_string()])?
            }
            VaultRepay => {
                let (payer, borrower) = (Self::lender(a), Self::holder(b));
                let (_, debt, _) = self.vault_position(&borrower)?;
                let amount = Self::amount(debt, c);
                approve(self, &payer, Target::Stablecoin, amount)?;
                self.call(&payer, t, "repay", &[borrower.to_string(), amount.to_string()])?
            }
            VaultRefresh => {
                let caller = self.anyone(a);
                self.call(&caller, t, "refresh", &[])?
            }
            VaultSettle => {
                let caller = self.anyone(a);
                match b % 3 {
                    0 => self.call(&caller, t, "harvest", &[])?,
                    1 => self.call(&Self::holder(c), t, "claim_credit", &[])?,
                    _ => self.call(&caller, t, "settle", &[Self::holder(c).to_string()])?,
                }
            }
            VaultLiquidate => {
                let liquidator = Self::pick(&[account(2), account(3), account(5), account(6), account(51), outsider()], a);
                let amount = u128::from(c % 200) * USDC;
                approve(self, &liquidator, Target::Stablecoin, amount)?;
                self.call(&liquidator, t, "liquidate", &[Self::holder(b).to_string(), amount.to_string()])?
            }
            _ => {
                let caller = self.governor(a);
                match b % 4 {
                    0 => self.call(&caller, t, "set_paused", &[(c % 3 == 0).to_string()])?,
                    1 => self.call(&caller, t, "set_paused", &["false".into()])?,
                    2 => {
                        let ltv = 1_000 + c % 6_000;
                        self.call(&caller, t, "set_params", &[crate::sandbox::VAULT_PARAMS.replace("ltv_bps: 5000", &format!("ltv_bps: {ltv}"))])?
                    }
                    // Out of bounds: refused, whoever asks.
                    _ => self.call(&caller, t, "set_params", &[crate::sandbox::VAULT_PARAMS.replace("ltv_bps: 5000", "ltv_bps: 9500")])?,
                }
            }
        })
    }

    /// An open order of the market, picked from the ids given so far (`None`: gone or never).
    fn market_order(&mut self, r: u64) -> Result<(u64, Option<Order>), String> {
        let state: MarketState = self.read(Target::Market, "state", &[])?;
        let id = 1 + r % state.last_id.max(1);
        Ok((id, self.read(Target::Market, "order", &[id.to_string()])?))
    }

    /// One market operation: investors (verified, expiring, never registered), renters (who hold
    /// the stablecoin but no identity) and outsiders post and fill; the token's compliance and
    /// both assets' balances and allowances decide.
    fn market_op(&mut self, kind: Kind, a: u64, b: u64, c: u64) -> Result<Outcome, String> {
        let t = Target::Market;
        let market = self.market.clone();
        let trader = |r: u64| Self::pick(&[account(2), account(3), account(4), account(5), account(6), account(51), outsider()], r);
        let approve = |w: &mut Self, who: &AccountId32, asset: Target, amount: u128| w.call(who, asset, "PSP22::approve", &[market.to_string(), amount.to_string()]);
        Ok(match kind {
            MarketPost => {
                let (maker, sell) = (trader(a), b % 2 == 0);
                let (side, asset) = if sell { ("Sell", Target::Token) } else { ("Buy", Target::Stablecoin) };
                let price = u128::from(1 + c % 5) * USDC / 2;
                let held = if sell { self.token_balance(&maker)? } else { self.coin_balance(&maker)? };
                let amount = Self::amount(held, c >> 3) / if sell { 1 } else { 3 };
                let open: u128 = self.read(t, "open", &[maker.to_string(), side.into()])?;
                let need = if sell { amount } else { gpu_market::market::cost(amount, price).unwrap_or(u128::MAX) };
                approve(self, &maker, asset, open.saturating_add(need))?;
                // Where its price belongs (one time in eight, a stale position: refused, typed).
                let page: Vec<(u64, Order)> = self.read(t, "page", &[side.into(), "None".into(), "None".into(), "50".into()])?;
                let side_of = if sell { gpu_market::market::Side::Sell } else { gpu_market::market::Side::Buy };
                let after = if c % 8 == 0 { page.first().map(|(id, _)| *id) } else { gpu_market::market::place(&page, side_of, price) };
                let after = after.map_or("None".to_string(), |id| format!("Some({id})"));
                let expiry = self.now + (1 + (c >> 11) % 6) * HOUR;
                self.call(&maker, t, "post", &[side.into(), price.to_string(), amount.to_string(), expiry.to_string(), after, Self::fee_limit(c).to_string()])?
            }
            MarketFill => {
                let taker = trader(a);
                let (id, order) = self.market_order(b)?;
                let (amount, gives) = match order {
                    Some(o) => {
                        // A fill moves the maker's and the fee recipient's balances too, though
                        // neither is named in the call.
                        self.touched.extend([AccountId32::new(*o.maker.as_ref()), operator()]);
                        let amount = Self::amount(o.amount, c);
                        let cost = gpu_market::market::fill_cost(o.amount, amount.min(o.amount), o.price).unwrap_or(0);
                        (amount, if o.side == gpu_market::market::Side::Sell { (Target::Stablecoin, cost) } else { (Target::Token, amount) })
                    }
                    None => (1, (Target::Stablecoin, 0)),
                };
                approve(self, &taker, gives.0, gives.1)?;
                self.call(&taker, t, "fill", &[id.to_string(), amount.to_string(), Self::fee_limit(c).to_string()])?
            }
            MarketCancel => {
                let (id, order) = self.market_order(b)?;
                // The maker mostly; anyone else is refused.
                let caller = match order {
                    Some(o) if a % 4 != 0 => AccountId32::new(*o.maker.as_ref()),
                    _ => trader(a),
                };
                self.call(&caller, t, "cancel", &[id.to_string()])?
            }
            MarketClear => {
                let (id, _) = self.market_order(b)?;
                let caller = self.anyone(a);
                self.call(&caller, t, "clear", &[id.to_string()])?
            }
            _ => {
                let caller = self.governor(a);
                match b % 3 {
                    0 => self.call(&caller, t, "set_paused", &[(c % 3 == 0).to_string()])?,
                    1 => self.call(&caller, t, "set_paused", &["false".into()])?,
                    _ => self.call(&caller, t, "set_fee", &[(c % 1_200).to_string(), operator().to_string()])?,
                }
            }
        })
    }

    /// The market holds nothing; on a full check (`full`) also: its books are in price order with
    /// equal prices in posting order, and what each maker has committed is what its open orders need.
    fn check_market(&mut self, full: bool) -> Result<(), String> {
        let market = self.market.clone();
        let held = (self.coin_balance(&market)?, self.token_balance(&market)?);
        if held != (0, 0) {
            return Err(format!("the market holds {held:?} (stablecoin, tokens)"));
        }
        if !full {
            return Ok(());
        }
        let mut committed: BTreeMap<(AccountId, bool), u128> = BTreeMap::new();
        for (side, sell) in [("Sell", true), ("Buy", false)] {
            let page: Vec<(u64, Order)> = self.read(Target::Market, "page", &[side.into(), "None".into(), "None".into(), "50".into()])?;
            for pair in page.windows(2) {
                let ((p, above), (id, below)) = (&pair[0], &pair[1]);
                let ordered = if sell { above.price < below.price } else { above.price > below.price };
                if !(ordered || (above.price == below.price && p < id)) || below.book.prev != Some(*p) {
                    return Err(format!("{side} book out of order at {id} after {p}"));
                }
            }
            if page.len() < 50 {
                for (_, o) in &page {
                    *committed.entry((o.maker, sell)).or_default() += o.need().map_err(|e| format!("need: {e:?}"))?;
                }
                for who in investors().iter().chain([account(51), outsider()].iter()) {
                    let open: u128 = self.read(Target::Market, "open", &[who.to_string(), side.into()])?;
                    let expected = committed.get(&(ink_id(who), sell)).copied().unwrap_or(0);
                    if open != expected {
                        return Err(format!("{who} committed {open} to {side} orders needing {expected}"));
                    }
                }
            }
        }
        Ok(())
    }

    /// The vault holds what it owes and the collateral it records (as Σ of the positions), and
    /// its share price never falls except by recorded bad debt.
    fn check_vault(&mut self) -> Result<(), String> {
        let vault = self.vault.clone();
        let state = self.read::<Result<VaultState, VaultError>>(Target::Vault, "state", &[])?.map_err(|e| format!("vault state: {e:?}"))?;
        let t = state.totals;
        let coin = self.coin_balance(&vault)?;
        if coin < t.cash + t.unsettled_yield + t.credit {
            return Err(format!("vault holds {coin} < cash + unsettled yield + credit ({t:?})"));
        }
        let tokens = self.token_balance(&vault)?;
        let mut collateral = 0;
        for who in investors().iter().chain([outsider()].iter()) {
            collateral += self.vault_position(who)?.0;
        }
        if tokens != t.collateral + t.recovered || collateral != t.collateral {
            return Err(format!("vault holds {tokens} tokens, Σ positions {collateral}, books {} + recovered {}", t.collateral, t.recovered));
        }
        let price = (state.total_assets + 1, t.shares + 1, t.bad_debt);
        let (assets, shares, bad) = self.vault_price;
        if (price.0 + (t.bad_debt - bad)) * shares < assets * price.1 {
            return Err(format!("vault share price fell: {:?} → {price:?}", self.vault_price));
        }
        self.vault_price = price;
        Ok(())
    }

    /// Liveness of the vault: every debt can be repaid (the issuer pays), every position closed
    /// (an unlock refused only by the token's compliance), every share redeemed; what stays is dust.
    fn vault_liveness(&mut self) -> Result<(), String> {
        let issuer = issuer(self);
        let vault = self.vault.clone();
        self.call(&issuer, Target::Vault, "set_paused", &["false".into()])?;
        for who in investors().iter().chain([outsider()].iter()) {
            let (_, debt, _) = self.vault_position(who)?;
            if debt > 0 {
                let pay = debt + USDC;
                self.raw(&issuer, Target::Stablecoin, "mint", &[issuer.to_string(), pay.to_string()]).map_err(|e| e.to_string())?;
                self.minted += pay;
                self.raw(&issuer, Target::Stablecoin, "PSP22::approve", &[vault.to_string(), pay.to_string()]).map_err(|e| e.to_string())?;
                self.raw(&issuer, Target::Vault, "repay", &[who.to_string(), pay.to_string()]).map_err(|e| format!("liveness: repay for {who}: {e}"))?;
            }
            let (collateral, debt, credit) = self.vault_position(who)?;
            if debt != 0 {
                return Err(format!("liveness: {who} still owes {debt} after repaying all"));
            }
            if credit > 0 {
                self.raw(who, Target::Vault, "claim_credit", &[]).map_err(|e| format!("liveness: claim_credit: {e}"))?;
            }
            if collateral > 0 {
                if let Outcome::Refused = self.call(who, Target::Vault, "unlock", &[collateral.to_string()])? {
                    let check: Result<(), gpu_hour_token::token::TokenError> = self.read(Target::Token, "check_transfer", &[vault.to_string(), who.to_string(), collateral.to_string()])?;
                    if check.is_ok() {
                        return Err(format!("liveness: {who}'s unlock of {collateral} refused although the token would move it"));
                    }
                }
            }
        }
        for who in investors().iter().chain(renters().iter()) {
            let (shares, _): (u128, u128) = self.read::<Result<(u128, u128), VaultError>>(Target::Vault, "lender", &[who.to_string()])?.map_err(|e| format!("lender: {e:?}"))?;
            if shares > 0 {
                self.raw(who, Target::Vault, "redeem", &[shares.to_string()]).map_err(|e| format!("liveness: {who} redeems: {e}"))?;
            }
        }
        let t = self.read::<Result<VaultState, VaultError>>(Target::Vault, "state", &[])?.map_err(|e| format!("vault state: {e:?}"))?.totals;
        if t.shares != 0 || t.scaled_debt != 0 || t.cash > 1_000 {
            return Err(format!("liveness: the vault keeps more than dust: {t:?}"));
        }
        Ok(())
    }

    /// Every invariant that must hold after any step, re-reading everything.
    /// One ownership or role operation on the registry, the pool admin or the stablecoin, by
    /// anyone: accepted exactly when the model says so, and afterwards every account holds a
    /// role exactly when it owns the contract or the current owner granted it.
    fn roles(&mut self, a: u64, b: u64, c: u64) -> Result<Outcome, String> {
        let i = usize::try_from(a % 3).unwrap_or(0);
        let model = self.access[i].clone();
        let caller = Self::pick(&[model.owner.clone(), self.suite.issuer.clone(), heir(), agent(), outsider()], b);
        let who = Self::pick(&[agent(), outsider(), heir(), self.suite.issuer.clone()], c);
        let owns = caller == model.owner;
        let enabled = (c >> 8) % 3 != 0;
        let (message, args, expected) = match (b >> 8) % 4 {
            0 => ("AccessControl::set_role", vec![model.role.to_string(), who.to_string(), enabled.to_string()], owns),
            1 => ("Ownable2Step::transfer_ownership", vec![format!("Some({who})")], owns),
            2 => ("Ownable2Step::transfer_ownership", vec!["None".to_string()], owns),
            _ => ("Ownable2Step::accept_ownership", Vec::new(), model.pending.as_ref() == Some(&caller)),
        };
        let outcome = self.call(&caller, model.target, message, &args)?;
        if matches!(outcome, Outcome::Accepted(_)) != expected {
            return Err(format!("{message}({args:?}) by {caller} on {:?}: the model expected accepted = {expected}", model.target));
        }
        if expected {
            let m = &mut self.access[i];
            match (b >> 8) % 4 {
                0 if enabled => m.grants.push(who),
                0 => m.grants.retain(|g| *g != who),
                1 => m.pending = Some(who),
                2 => m.pending = None,
                _ => {
                    (m.owner, m.pending) = (caller, None);
                    m.grants.clear();
                }
            }
        }
        self.check_access(i)?;
        Ok(outcome)
    }

    /// The contract's owner, proposal and every role equal the model's.
    fn check_access(&mut self, i: usize) -> Result<(), String> {
        let model = self.access[i].clone();
        let owner: AccountId = self.read(model.target, "Ownable2Step::owner", &[])?;
        let pending: Option<AccountId> = self.read(model.target, "Ownable2Step::pending_owner", &[])?;
        if owner != ink_id(&model.owner) || pending != model.pending.as_ref().map(ink_id) {
            return Err(format!("{:?}: owner {owner:?} / pending {pending:?}, the model has {} / {:?}", model.target, model.owner, model.pending));
        }
        for who in [self.suite.issuer.clone(), heir(), agent(), outsider()] {
            let holds: bool = self.read(model.target, "AccessControl::has_role", &[model.role.to_string(), who.to_string()])?;
            if holds != (who == model.owner || model.grants.contains(&who)) {
                return Err(format!("{:?}: {who} holds {} = {holds} against the model (owner {}, grants {:?})", model.target, model.role, model.owner, model.grants));
            }
        }
        Ok(())
    }

    /// Hands every contract of `access` back to the issuer (liveness: the issuer acts last).
    fn restore_owners(&mut self) -> Result<(), String> {
        let issuer = issuer(self);
        for i in 0..self.access.len() {
            let model = self.access[i].clone();
            if model.owner != issuer {
                self.raw(&model.owner, model.target, "Ownable2Step::transfer_ownership", &[format!("Some({issuer})")]).map_err(|e| e.to_string())?;
                self.raw(&issuer, model.target, "Ownable2Step::accept_ownership", &[]).map_err(|e| e.to_string())?;
                self.access[i] = AccessModel { owner: issuer.clone(), pending: None, grants: Vec::new(), ..model };
            }
            self.check_access(i)?;
        }
        Ok(())
    }

    fn check(&mut self) -> Result<(), String> {
        self.check_scope(Scope::ALL, true)
    }

    /// The invariants over the state `scope` says may have moved; `full` re-reads every balance
    /// (otherwise only those of the accounts a call named, and of the contracts).
    fn check_scope(&mut self, scope: Scope, full: bool) -> Result<(), String> {
        let mut refresh: Vec<AccountId32> = std::mem::take(&mut self.touched);
        if scope.coin || scope.token {
            // Stablecoin conservation over every account and contract.
            let supply: u128 = self.read(Target::Stablecoin, "PSP22::total_supply", &[])?;
            if supply != self.minted {
                return Err(format!("stablecoin supply {supply} != minted {}", self.minted));
            }
            let contracts = [
                self.suite.token.clone(),
                self.suite.escrow.clone(),
                self.suite.registry.clone(),
                self.suite.oracle.clone(),
                self.suite.coin.clone(),
                self.vault.clone(),
                self.market.clone(),
            ];
            if full || self.coins.is_empty() {
                refresh.extend(self.people.iter().cloned());
                refresh.extend(investors());
            }
            refresh.extend(contracts);
            refresh.sort();
            refresh.dedup();
            for who in &refresh {
                let (coin, token) = (self.coin_balance(who)?, self.token_balance(who)?);
                self.coins.insert(who.clone(), coin);
                self.tokens.insert(who.clone(), token);
            }
            let sum: u128 = self.coins.values().sum();
            if sum != supply {
                return Err(format!("Σ stablecoin balances {sum} != supply {supply}"));
            }
        }
        if scope.coin || scope.escrow {
            // Escrow: books balance and it holds what it owes.
            let escrow = self.suite.escrow.clone();
            let totals: Totals = self.read(Target::Escrow, "totals", &[])?;
            let l = totals.ledger;
            // The rent under dispute is part of what is held (a vault counts it as earned).
            if l.deposited != l.released + l.fees + l.refunded + l.held || totals.disputed > l.held {
                return Err(format!("escrow books: {totals:?}"));
            }
            let held = self.coin_balance(&escrow)?;
            match totals.obligations() {
                Some(owed) if held >= owed => {}
                owed => return Err(format!("escrow holds {held} < obligations {owed:?} ({totals:?})")),
            }
        }
        if scope.coin || scope.token {
            // Token: yield solvency and the capacity cap.
            let token = self.suite.token.clone();
            let state: TokenState = self.read(Target::Token, "state", &[])?;
            let rewards = state.rewards.clone();
            let token_coin = self.coin_balance(&token)?;
            let owed = rewards.distributed.checked_sub(rewards.claimed).ok_or("claimed more than distributed")?;
            if token_coin < owed {
                return Err(format!("token holds {token_coin} < distributed − claimed {owed} ({rewards:?})"));
            }
            let token_supply: u128 = self.read(Target::Token, "PSP22::total_supply", &[])?;
            let (capacity, redeemed) = (state.capacity, state.redeemed);
            if token_supply + redeemed > capacity {
                return Err(format!("supply {token_supply} + redeemed {redeemed} > capacity {capacity}"));
            }
            let token_sum: u128 = self.tokens.values().sum();
            if token_sum != token_supply {
                return Err(format!("Σ token balances {token_sum} != supply {token_supply}"));
            }
            // The admin's records describe exactly what the token did: every redeemed unit has a
            // redemption record, and the latest attestation is the token's capacity.
            let count: u64 = self.read(Target::Admin, "redemption_count", &[])?;
            // Records never change amount once written: read only the new ones.
            for id in self.redemptions.0..count {
                let redemption: Option<pool_admin::admin::Redemption> = self.read(Target::Admin, "redemption", &[id.to_string()])?;
                self.redemptions.1 += redemption.ok_or(format!("redemption {id} missing"))?.amount;
            }
            self.redemptions.0 = count;
            let recorded = self.redemptions.1;
            if recorded != redeemed {
                return Err(format!("Σ redemption records {recorded} != token's redeemed {redeemed}"));
            }
            let token_admin = AccountId32::new(*state.admin.as_ref());
            if token_admin != self.suite.admin {
                return Err(format!("the token's admin is {token_admin}, not its pool admin"));
            }
            let attestations: u32 = self.read(Target::Admin, "attestation_count", &[])?;
            let latest: Option<pool_admin::admin::Attestation> = self.read(Target::Admin, "attestation", &[attestations.saturating_sub(1).to_string()])?;
            if latest.as_ref().map(|a| a.capacity) != Some(capacity) {
                return Err(format!("latest attestation {latest:?} != token's capacity {capacity}"));
            }
        }
        if scope.coin || scope.token {
            self.check_vault()?;
            // The books after every market step, and every fiftieth step otherwise.
            self.check_market(full || self.last_market)?;
        }
        if scope.escrow {
            // Bookings within the pool for the epochs that can still be booked.
            for epoch in self.epoch()..self.epoch() + 5 {
                let booked: u32 = self.read(Target::Escrow, "booked_gpus", &[epoch.to_string()])?;
                if booked > 8 {
                    return Err(format!("epoch {epoch} booked {booked} GPUs of 8"));
                }
            }
        }
        if scope.identity {
            // Bound, the token honours the registry's credential of every investor pushed or synced
            // since the binding, and none for the others; unbound, it honours none at all.
            let bound: Vec<AccountId32> = self.read(Target::Registry, "bound_tokens", &[])?;
            if bound.contains(&self.suite.token) != self.bound {
                return Err(format!("bound tokens {bound:?}, expected the token bound: {}", self.bound));
            }
            for who in investors() {
                let token = self.read::<Result<Holding, gpu_hour_token::token::TokenError>>(Target::Token, "holding", &[who.to_string()])?.map_err(|e| format!("holding: {e:?}"))?.credential;
                let expected: Option<Credential> = if !self.bound || self.stale.contains(&who) {
                    None
                } else {
                    self.read(Target::Registry, "IdentityCheck::credential", &[who.to_string()])?
                };
                if token != expected {
                    return Err(format!("{who}: the token honours {token:?}, expected {expected:?} (bound: {})", self.bound));
                }
            }
        }
        if scope.oracle {
            // Oracle: epochs that just closed, where every honest reporter reported, are within the honest range.
            for epoch in self.epoch().saturating_sub(3)..self.epoch() {
                self.check_honest(epoch)?;
            }
        }
        Ok(())
    }

    /// Every field of a finalized epoch lies within the honest reports, where every honest
    /// reporter of the epoch's eligible set reported (the liar, 33, is at most one of them).
    fn check_honest(&mut self, epoch: u64) -> Result<(), String> {
        let Some(honest) = self.honest.get(&epoch).cloned() else { return Ok(()) };
        let eligible: Result<Eligibility, utilization_oracle::utilization_oracle::Error> = self.read(Target::Oracle, "eligible", &[FEED.into(), epoch.to_string()])?;
        let Ok(eligible) = eligible else { return Ok(()) };
        let members: Vec<u8> = eligible.reporters.iter().map(|a| AsRef::<[u8; 32]>::as_ref(a)[0]).collect();
        let honest_members: Vec<u8> = members.iter().copied().filter(|b| honest_reporter(*b)).collect();
        let liars = members.len() - honest_members.len();
        if honest_members.is_empty() || honest_members.len() <= liars || !honest_members.iter().all(|b| honest.contains_key(b)) {
            return Ok(());
        }
        let finalized: Result<Finalized, utilization_oracle::utilization_oracle::Error> = self.read(Target::Oracle, "epoch", &[FEED.into(), epoch.to_string()])?;
        if let Ok(finalized) = finalized {
            let values: Vec<u64> = honest_members.iter().filter_map(|b| honest.get(b).copied()).collect();
            let (low, high) = (values.iter().min().copied().unwrap_or(0), values.iter().max().copied().unwrap_or(0));
            let value = finalized.values.gpu_milli_hours;
            if value < low || value > high {
                return Err(format!("epoch {epoch} finalized at {value} outside the honest range {low}..={high} (eligible {members:?}, honest {honest:?})"));
            }
        }
        Ok(())
    }

    /// Time runs past everything; every epoch of every rental reaches a final state and every
    /// party withdraws exactly what it is owed.
    fn liveness(&mut self) -> Result<(), String> {
        self.restore_owners()?;
        let issuer = issuer(self);
        // Restore the distributor role and unpause, as an issuer would, then let time pass.
        self.raw(&issuer, Target::Admin, "set_distributor", &[self.suite.escrow.to_string(), "true".into()]).map_err(|e| e.to_string())?;
        self.call(&issuer, Target::Admin, "unpause", &[])?;
        // Bind the token again if governance unbound it, and have an outsider sync every investor.
        if !self.bound {
            self.raw(&issuer, Target::Registry, "bind_token", &[self.suite.token.to_string()]).map_err(|e| e.to_string())?;
            self.bound = true;
        }
        // The vault too: a rebinding voids its custodian record in the token like anyone's.
        let everyone: Vec<String> = investors().iter().chain([self.vault.clone()].iter()).map(ToString::to_string).collect();
        self.raw(&outsider(), Target::Token, "sync", &[format!("[{}]", everyone.join(", "))]).map_err(|e| e.to_string())?;
        self.stale.clear();
        self.now += 40 * HOUR;
        self.suite.set_time(self.now);
        let count: u64 = self.read(Target::Escrow, "rental_count", &[])?;
        for id in 0..count {
            let Some(rental) = self.rental(id)? else { continue };
            for epoch in rental.start..rental.end {
                let state: Option<EpochState> = self.read(Target::Escrow, "epoch_state", &[id.to_string(), epoch.to_string()])?;
                match state {
                    None => {
                        self.raw(&outsider(), Target::Escrow, "settle", &[id.to_string(), epoch.to_string()]).map_err(|e| format!("liveness: {e}"))?;
                        self.stats.settled_epochs += 1;
                    }
                    Some(EpochState::Disputed) => {
                        let judge: Option<ink::primitives::AccountId> = self.read(Target::Escrow, "dispute_arbiter", &[id.to_string(), epoch.to_string()])?;
                        let judge = judge.map(|a| AccountId32::new(*a.as_ref())).ok_or("disputed epoch without an arbiter")?;
                        self.raw(&judge, Target::Escrow, "resolve", &[id.to_string(), epoch.to_string(), "0".into()]).map_err(|e| format!("liveness: {e}"))?;
                    }
                    Some(_) => {}
                }
            }
        }
        let totals: Totals = self.read(Target::Escrow, "totals", &[])?;
        if totals.ledger.held != 0 || totals.disputed != 0 {
            return Err(format!("liveness: escrow still holds {} for settled rentals ({} disputed)", totals.ledger.held, totals.disputed));
        }
        if totals.unpaid_yield > 0 {
            self.raw(&outsider(), Target::Escrow, "push_yield", &[]).map_err(|e| format!("liveness: push_yield: {e}"))?;
        }
        // Past the longest yield period the campaign sets, so every stream has run out.
        self.now += 7 * HOUR;
        self.suite.set_time(self.now);
        for who in renters().iter().chain([outsider(), operator()].iter()) {
            let owed: u128 = self.read(Target::Escrow, "refundable", &[who.to_string()])?;
            if owed > 0 {
                let before = self.coin_balance(who)?;
                self.raw(who, Target::Escrow, "withdraw", &[]).map_err(|e| format!("liveness: {e}"))?;
                if self.coin_balance(who)? != before + owed {
                    return Err(format!("liveness: {who} withdrew other than the {owed} owed"));
                }
            }
        }
        let totals: Totals = self.read(Target::Escrow, "totals", &[])?;
        if totals.ledger.fees > totals.fees_withdrawn {
            self.raw(&operator(), Target::Escrow, "withdraw_fees", &[]).map_err(|e| format!("liveness: {e}"))?;
        }
        let totals: Totals = self.read(Target::Escrow, "totals", &[])?;
        if totals.obligations() != Some(0) {
            return Err(format!("liveness: escrow obligations left: {totals:?}"));
        }
        // Holders claim everything once the streams have run out.
        for who in investors().iter().chain([outsider()].iter()) {
            let claimable: Result<u128, gpu_hour_token::token::TokenError> =
                self.read::<Result<Holding, gpu_hour_token::token::TokenError>>(Target::Token, "holding", &[who.to_string()])?.map(|h| h.claimable);
            if let Ok(amount) = claimable {
                if amount > 0 {
                    let before = self.coin_balance(who)?;
                    // A claim can be refused only by pause or freeze rules, which the issuer lifted; frozen wallets may still claim.
                    if let Outcome::Accepted(_) = self.call(who, Target::Token, "claim", &[])? {
                        if self.coin_balance(who)? != before + amount {
                            return Err(format!("liveness: {who} claimed other than the {amount} claimable"));
                        }
                    }
                }
            }
        }
        let rewards = self.read::<TokenState>(Target::Token, "state", &[])?.rewards;
        if rewards.streaming != 0 {
            return Err(format!("liveness: yield still streaming after its period: {rewards:?}"));
        }
        self.vault_liveness()?;
        self.check()
    }
}

/// Runs `ops` on a fresh deployment; checks after every step and the liveness at the end.
pub fn run(ops: &[Op]) -> Result<Stats, Failure> {
    let fail = |step: usize, message: String| Failure { step, message };
    let mut world = World::new().map_err(|e| fail(0, format!("setup: {e}")))?;
    world.check().map_err(|m| fail(0, format!("after setup: {m}")))?;
    for (step, op) in ops.iter().enumerate() {
        let accepted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| world.apply(*op)))
            .map_err(|_| fail(step, format!("panic in {op:?}")))?
            .map_err(|m| fail(step, m))?;
        let (scope, full) = if step % FULL_CHECK_EVERY == FULL_CHECK_EVERY - 1 { (Scope::ALL, true) } else { (Scope::after(op.kind.target(), accepted), false) };
        world.check_scope(scope, full).map_err(|m| fail(step, format!("after {op:?}: {m}")))?;
        let stats = &mut world.stats;
        stats.ops += 1;
        let entry = stats.per_target.entry(format!("{:?}", op.kind.target())).or_default();
        if accepted {
            stats.accepted += 1;
            entry.0 += 1;
        } else {
            stats.refused += 1;
            entry.1 += 1;
        }
        *stats.per_kind.entry(format!("{:?}", op.kind)).or_default() += 1;
    }
    world.liveness().map_err(|m| fail(ops.len(), m))?;
    let mut stats = world.stats.clone();
    stats.rentals = world.rentals;
    stats.finalized_epochs = world.honest.len();
    Ok(stats)
}

/// Cuts a failing sequence down (delta debugging over chunks, then single operations), within
/// `budget` re-runs; returns the shortest failing sequence found and its failure.
pub fn shrink(ops: &[Op], failure: &Failure, budget: usize) -> (Vec<Op>, Failure) {
    let mut best: Vec<Op> = ops[..(failure.step + 1).min(ops.len())].to_vec();
    let mut best_failure = failure.clone();
    let mut runs = 0;
    let mut chunk = best.len() / 2;
    while chunk >= 1 && runs < budget {
        let mut start = 0;
        let mut progressed = false;
        while start < best.len() && runs < budget {
            let mut candidate = best.clone();
            let end = (start + chunk).min(candidate.len());
            candidate.drain(start..end);
            runs += 1;
            match run(&candidate) {
                Err(f) => {
                    candidate.truncate((f.step + 1).min(candidate.len()));
                    best = candidate;
                    best_failure = f;
                    progressed = true;
                }
                Ok(_) => start += chunk,
            }
        }
        if !progressed {
            chunk /= 2;
        }
    }
    (best, best_failure)
}
