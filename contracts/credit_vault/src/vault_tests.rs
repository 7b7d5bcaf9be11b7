//! The vault's rules with exact amounts: valuation at its bounds, the rate curve, lenders'
//! shares, borrowing, interest, self-repayment, unlocking and liquidation with bad debt; and a
//! property test over random histories against a model of both assets' balances.
use crate::vault::*;
use ink::primitives::AccountId;
use proptest::prelude::*;

const HOUR: u64 = 3_600_000;
const USDC: u128 = 1_000_000;
const GPU_HOUR: u128 = 1_000_000;
const LENDER: u8 = 1;
const BORROWER: u8 = 2;
const OTHER: u8 = 3;

fn account(byte: u8) -> AccountId {
    AccountId::from([byte; 32])
}

fn params() -> Params {
    Params {
        ltv_bps: 5_000,
        liquidation_threshold_bps: 7_000,
        haircut_bps: 2_000,
        close_factor_bps: 5_000,
        liquidation_bonus_bps: 500,
        base_rate_bps: 200,
        slope1_bps: 800,
        slope2_bps: 10_000,
        kink_bps: 8_000,
        trailing_epochs: 4,
        horizon_epochs: 100,
    }
}

/// An 8-GPU pool with 100 hours left at 2 USDC per GPU-hour, 10% operator fee, 50% utilized,
/// 800 GPU-hours of tokens: 720 USDC of rent left for holders either way, 576 after the haircut.
fn inputs() -> ValuationInputs {
    ValuationInputs {
        now: 0,
        period_end: 100 * HOUR,
        epoch_length: HOUR,
        gpus: 8,
        price_per_gpu_hour: 2 * USDC,
        operator_fee_bps: 1_000,
        utilization_bps: 5_000,
        epochs: 4,
        recent_rent: 4 * 7_200_000,
        pending_rent: 0,
        yield_until: 100 * HOUR,
        rent_window_ms: 4 * HOUR,
        supply: 800 * GPU_HOUR,
    }
}

/// A valuation whose window of checkpoints agrees with now (a steady pool).
fn valued(inputs: ValuationInputs) -> Valuation {
    let mut v = Valuation::new(inputs, params().haircut_bps, params().horizon_epochs, None, None);
    (v.low, v.high) = (Some(v.unit_value()), Some(v.unit_value()));
    v
}

/// `pool` (the whole supply's value) per unit of the fixture's 800 GPU-hours, ×10^18.
fn unit(pool: u128) -> u128 {
    pool * RAY / (800 * GPU_HOUR)
}

fn valuation() -> Valuation {
    valued(inputs())
}

fn vault() -> VaultData {
    VaultData::new(params(), 0).unwrap()
}

/// 1,000 USDC lent; the borrower locks 100 GPU-hours (worth 72 USDC: limit 36, liquidation 50.4).
fn funded() -> VaultData {
    let mut data = vault();
    assert_eq!(data.deposit(account(LENDER), 1_000 * USDC, 0), Ok(1_000 * USDC));
    data.lock(account(BORROWER), 100 * GPU_HOUR, 0).unwrap();
    data
}

// ---- valuation -------------------------------------------------------------------------------

#[ink::test]
fn valuation_takes_the_lower_figure_less_the_haircut() {
    let v = valuation();
    assert_eq!((v.by_utilization, v.by_distributions, v.current), (720 * USDC, 720 * USDC, 576 * USDC));
    assert_eq!(v.value_of(100 * GPU_HOUR, v.current), Ok(72 * USDC));
    // Less rent distributed recently than the utilization suggests: the distributions decide.
    let v = valued(ValuationInputs { recent_rent: 4 * 3_600_000, ..inputs() });
    assert_eq!((v.by_utilization, v.by_distributions, v.current), (720 * USDC, 360 * USDC, 288 * USDC));
    // A utilization drop lowers it at once.
    let v = valued(ValuationInputs { utilization_bps: 2_500, ..inputs() });
    assert_eq!((v.by_utilization, v.current), (360 * USDC, 288 * USDC));
    // A mint that doubles the supply halves every holder's value.
    let v = valued(ValuationInputs { supply: 1_600 * GPU_HOUR, ..inputs() });
    assert_eq!(v.value_of(100 * GPU_HOUR, v.current), Ok(36 * USDC));
}

#[ink::test]
fn valuation_inputs_at_their_bounds() {
    let at = valued;
    assert_eq!(at(ValuationInputs { utilization_bps: 0, ..inputs() }).current, 0);
    assert_eq!(at(ValuationInputs { utilization_bps: u16::MAX, ..inputs() }).by_utilization, 1_440 * USDC);
    assert_eq!(at(ValuationInputs { operator_fee_bps: 10_000, ..inputs() }).current, 0);
    assert_eq!(at(ValuationInputs { recent_rent: 0, ..inputs() }).current, 0);
    assert_eq!(at(ValuationInputs { now: 100 * HOUR, ..inputs() }).current, 0);
    assert_eq!(at(ValuationInputs { now: 200 * HOUR, ..inputs() }).current, 0);
    assert_eq!(at(ValuationInputs { rent_window_ms: 0, ..inputs() }).by_distributions, 0);
    assert_eq!(at(ValuationInputs { supply: 0, ..inputs() }).value_of(1, 576 * USDC), Ok(0));
    // Part of an hour left counts pro rata, to the unit, both ways.
    let v = at(ValuationInputs { now: 99 * HOUR + 1, ..inputs() });
    assert_eq!((v.by_utilization, v.by_distributions), (7_199_997, 7_199_998));
    assert_eq!(Valuation::new(inputs(), 10_000, 100, None, None).current, 0);
    // An absurd price saturates its figure and the distributions decide (review: it used to fail
    // every valuation, freezing liquidations at the operator's will).
    let huge = at(ValuationInputs { price_per_gpu_hour: u128::MAX / 1_000, ..inputs() });
    assert_eq!(huge.current, 576 * USDC);
    assert!(huge.by_utilization > u128::MAX / 1_000);
    // Rent is projected over the horizon at most: 10 epochs of it, not the 100 hours left.
    let short = Valuation::new(inputs(), 2_000, 10, None, None);
    assert_eq!((short.by_utilization, short.by_distributions, short.current), (72 * USDC, 72 * USDC, 57_600_000));
    // Without an earlier checkpoint nothing can be borrowed against or liquidated.
    assert_eq!((short.borrow_value(), short.liquidation_value()), (0, 0));
}

#[test]
fn median_is_the_lower_middle() {
    assert_eq!(median(&mut [3, 1, 2]), 2);
    assert_eq!(median(&mut [4, 1, 3, 2]), 2);
    assert_eq!(median(&mut [7]), 7);
    assert_eq!(median(&mut []), 0);
    // One reporter's outlier among the epochs cannot move it past the honest middle.
    assert_eq!(median(&mut [5_000, 5_100, 10_000]), 5_100);
}

// ---- parameters and rates ----------------------------------------------------------------------

#[test]
fn parameters_are_bounded() {
    assert_eq!(params().validate(), Ok(()));
    let bad = [
        Params { ltv_bps: 0, ..params() },
        Params { ltv_bps: 7_001, ..params() },
        Params { liquidation_threshold_bps: 9_001, ltv_bps: 9_001, ..params() },
        Params { liquidation_bonus_bps: 2_001, ..params() },
        Params { liquidation_threshold_bps: 9_000, ltv_bps: 9_000, liquidation_bonus_bps: 1_200, ..params() },
        Params { haircut_bps: 10_000, ..params() },
        Params { close_factor_bps: 0, ..params() },
        Params { close_factor_bps: 10_001, ..params() },
        Params { kink_bps: 0, ..params() },
        Params { kink_bps: 10_000, ..params() },
        Params { base_rate_bps: 10_001, ..params() },
        Params { slope1_bps: 10_001, ..params() },
        Params { slope2_bps: 10_001, ..params() },
        Params { trailing_epochs: 2, ..params() },
        Params { trailing_epochs: 13, ..params() },
        Params { horizon_epochs: 3, ..params() },
        Params { horizon_epochs: 401, ..params() },
    ];
    for params in bad {
        assert_eq!(params.validate(), Err(Error::InvalidParams), "{params:?}");
    }
    assert_eq!(VaultData::new(Params { ltv_bps: 0, ..params() }, 0).err(), Some(Error::InvalidParams));
}

#[test]
fn the_rate_curve_is_gentle_below_the_kink_and_steep_above() {
    let p = params();
    assert_eq!(p.borrow_rate_bps(0), 200);
    assert_eq!(p.borrow_rate_bps(4_000), 600);
    assert_eq!(p.borrow_rate_bps(8_000), 1_000);
    assert_eq!(p.borrow_rate_bps(9_000), 6_000);
    assert_eq!(p.borrow_rate_bps(10_000), 11_000);
    assert_eq!(p.borrow_rate_bps(u16::MAX), 11_000);
}

// ---- lenders -------------------------------------------------------------------------------------

#[ink::test]
fn lenders_deposit_mint_withdraw_and_redeem_at_the_share_price() {
    let mut data = vault();
    let (lender, other) = (account(LENDER), account(OTHER));
    assert_eq!(data.deposit(lender, 0, 0), Err(Error::ZeroShares));
    assert_eq!(data.deposit(lender, 1_000, 0), Ok(1_000));
    assert_eq!(data.mint(other, 500, 0), Ok(500));
    assert_eq!((data.totals().cash, data.totals().shares), (1_500, 1_500));
    assert_eq!(data.withdraw(other, 501, 0), Err(Error::InsufficientShares));
    assert_eq!(data.withdraw(other, 200, 0), Ok(200));
    assert_eq!(data.redeem(other, 300, 0), Ok(300));
    assert_eq!(data.redeem(other, 1, 0), Err(Error::InsufficientShares));
    assert_eq!(data.shares_of(other), 0);
    // Pausing stops deposits and mints, never withdrawals (nor adding collateral).
    data.set_paused(true);
    assert_eq!(data.deposit(other, 10, 0), Err(Error::Paused));
    assert_eq!(data.mint(other, 10, 0), Err(Error::Paused));
    assert_eq!(data.redeem(lender, 100, 0), Ok(100));
}

#[ink::test]
fn interest_raises_the_share_price_and_withdrawals_stop_at_what_is_lent_out() {
    let mut data = funded();
    let (lender, borrower) = (account(LENDER), account(BORROWER));
    assert_eq!(data.borrow(borrower, 36 * USDC, 0, &valuation()), Ok(36 * USDC));
    // 3.6% utilization: 2% + 8% × 3.6 / 80 = 2.36% a year.
    assert_eq!(data.utilization_bps(), Ok(360));
    assert_eq!(data.borrow_rate_bps(), Ok(236));
    let year = u64::try_from(YEAR_MS).unwrap();
    data.accrue(year).unwrap();
    assert_eq!(data.total_debt(), Ok(36 * USDC + 849_600));
    assert_eq!(data.total_assets(), Ok(1_000 * USDC + 849_600));
    assert_eq!(data.preview_redeem(1_000 * USDC), Ok(1_000 * USDC + 849_599));
    // Only the 964 USDC not lent out can leave.
    assert_eq!(data.withdraw(lender, 964 * USDC + 1, year), Err(Error::InsufficientLiquidity));
    assert!(data.withdraw(lender, 964 * USDC, year).is_ok());
    // A read at a later time sees the same figures `accrue` would produce.
    let later = data.at(2 * year).unwrap();
    data.accrue(2 * year).unwrap();
    assert_eq!(later.totals(), data.totals());
}

// ---- borrowers -----------------------------------------------------------------------------------

#[ink::test]
fn borrowing_stays_within_the_loan_to_value_limit() {
    let mut data = funded();
    let borrower = account(BORROWER);
    let v = valuation();
    assert_eq!(data.borrow(borrower, 36 * USDC + 1, 0, &v), Err(Error::ExceedsBorrowLimit));
    assert_eq!(data.borrow(borrower, 0, 0, &v), Err(Error::ZeroAmount));
    assert_eq!(data.borrow(account(OTHER), 1, 0, &v), Err(Error::ExceedsBorrowLimit));
    let unpriced = valued(ValuationInputs { recent_rent: 0, ..inputs() });
    assert_eq!(data.borrow(borrower, 1, 0, &unpriced), Err(Error::Unpriced));
    assert_eq!(data.borrow(borrower, 20 * USDC, 0, &v), Ok(20 * USDC));
    assert_eq!(data.borrow(borrower, 16 * USDC, 0, &v), Ok(36 * USDC));
    assert_eq!(data.totals().cash, 964 * USDC);
    data.set_paused(true);
    assert_eq!(data.borrow(borrower, 1, 0, &v), Err(Error::Paused));
    assert_eq!(data.lock(borrower, 1, 0), Ok(()));
    // Repaying stays open while paused; overpaying pays only the debt.
    assert_eq!(data.repay(borrower, 50 * USDC, 0), Ok((36 * USDC, 0)));
    assert_eq!(data.repay(borrower, 1, 0), Err(Error::NoDebt));
    assert_eq!(data.totals().cash, 1_000 * USDC);
}

#[ink::test]
fn borrowing_is_limited_by_the_cash_not_lent_out() {
    let mut data = vault();
    data.deposit(account(LENDER), 10 * USDC, 0).unwrap();
    data.lock(account(BORROWER), 100 * GPU_HOUR, 0).unwrap();
    assert_eq!(data.borrow(account(BORROWER), 10 * USDC + 1, 0, &valuation()), Err(Error::InsufficientLiquidity));
    assert_eq!(data.borrow(account(BORROWER), 10 * USDC, 0, &valuation()), Ok(10 * USDC));
    assert_eq!(data.utilization_bps(), Ok(10_000));
    assert_eq!(data.borrow_rate_bps(), Ok(11_000));
}

#[ink::test]
fn unlocking_needs_a_valuation_only_with_debt() {
    let mut data = funded();
    let borrower = account(BORROWER);
    let stale = || Err(Error::StaleFeed);
    assert_eq!(data.unlock(borrower, 100 * GPU_HOUR + 1, 0, stale), Err(Error::InsufficientCollateral));
    assert_eq!(data.unlock(borrower, 40 * GPU_HOUR, 0, stale), Ok(()));
    data.borrow(borrower, 18 * USDC, 0, &valuation()).unwrap();
    assert_eq!(data.unlock(borrower, 1, 0, stale), Err(Error::StaleFeed));
    // 60 GPU-hours worth 43.2 USDC cover 18 USDC at 50% down to 50 GPU-hours.
    assert_eq!(data.unlock(borrower, 10 * GPU_HOUR + 1, 0, || Ok(valuation())), Err(Error::ExceedsBorrowLimit));
    assert_eq!(data.unlock(borrower, 10 * GPU_HOUR, 0, || Ok(valuation())), Ok(()));
    assert_eq!((data.position(borrower).collateral, data.totals().collateral), (50 * GPU_HOUR, 50 * GPU_HOUR));
}

#[ink::test]
fn yield_repays_debt_first_and_credits_the_rest_pro_rata() {
    let mut data = funded();
    let (borrower, other) = (account(BORROWER), account(OTHER));
    data.lock(other, 300 * GPU_HOUR, 0).unwrap();
    data.borrow(borrower, 10 * USDC, 0, &valuation()).unwrap();
    // 40 USDC of yield over 400 GPU-hours locked: 10 to the borrower, 30 to the other.
    data.receive_yield(40 * USDC).unwrap();
    assert_eq!(data.totals().unsettled_yield, 40 * USDC);
    assert_eq!(data.touch(borrower, 0), Ok(Settled { repaid: 10 * USDC, credited: 0 }));
    assert_eq!(data.touch(other, 0), Ok(Settled { repaid: 0, credited: 30 * USDC }));
    assert_eq!(data.touch(other, 0), Ok(Settled::default()));
    assert_eq!((data.totals().unsettled_yield, data.totals().credit, data.totals().cash), (0, 30 * USDC, 1_000 * USDC));
    assert_eq!(data.claim_credit(other, 0), Ok(30 * USDC));
    assert_eq!(data.claim_credit(other, 0), Err(Error::NothingToClaim));
    assert_eq!(data.totals().credit, 0);
    // Collateral locked after the yield arrived earns none of it (a regression: a new position
    // used to start from a zero yield index and take yield it never earned).
    data.receive_yield(4 * USDC).unwrap();
    data.lock(account(9), 400 * GPU_HOUR, 0).unwrap();
    assert_eq!(data.touch(account(9), 0), Ok(Settled::default()));
    assert_eq!(data.touch(borrower, 0), Ok(Settled { repaid: 0, credited: USDC }));
}

#[ink::test]
fn yield_without_collateral_goes_to_the_lenders() {
    let mut data = vault();
    data.deposit(account(LENDER), 100, 0).unwrap();
    data.receive_yield(50).unwrap();
    assert_eq!((data.totals().cash, data.total_assets(), data.totals().yield_received), (150, Ok(150), 50));
}

// ---- liquidation ---------------------------------------------------------------------------------

#[ink::test]
fn a_healthy_position_cannot_be_liquidated() {
    let mut data = funded();
    let borrower = account(BORROWER);
    assert_eq!(data.liquidate(borrower, USDC, 0, &valuation()), Err(Error::Healthy));
    data.borrow(borrower, 36 * USDC, 0, &valuation()).unwrap();
    assert_eq!(data.liquidate(borrower, USDC, 0, &valuation()), Err(Error::Healthy));
    let unpriced = valued(ValuationInputs { recent_rent: 0, ..inputs() });
    assert_eq!(data.liquidate(borrower, USDC, 0, &unpriced), Err(Error::Unpriced));
}

#[ink::test]
fn utilization_falls_and_a_liquidator_repays_half_for_collateral_plus_bonus() {
    let mut data = funded();
    let borrower = account(BORROWER);
    data.borrow(borrower, 36 * USDC, 0, &valuation()).unwrap();
    // Utilization halves: 100 GPU-hours are worth 36 USDC, limit 25.2 < debt 36.
    let fallen = valued(ValuationInputs { utilization_bps: 2_500, ..inputs() });
    let health = data.health(borrower, &fallen).unwrap();
    assert_eq!((health.value, health.liquidation_limit, health.health_factor_bps), (36 * USDC, 25_200_000, 7_000));
    // Had the value only fallen within this epoch (the window's highest still 576), nothing happens.
    let dip = Valuation { high: Some(unit(576 * USDC)), ..fallen };
    assert_eq!(data.liquidate(borrower, 100 * USDC, 0, &dip), Err(Error::Healthy));
    // Close factor 50%: at most 18 USDC; 18 × 1.05 = 18.9 USDC of tokens at 0.36 per GPU-hour.
    let outcome = data.liquidate(borrower, 100 * USDC, 0, &fallen).unwrap();
    assert_eq!(outcome, Liquidation { repaid: 18 * USDC, seized: 52_500_000, bad_debt: 0, recovered: 0 });
    let position = data.position(borrower);
    assert_eq!((position.collateral, data.health(borrower, &fallen).unwrap().debt), (47_500_000, 18 * USDC));
    assert_eq!((data.totals().collateral, data.totals().cash), (47_500_000, 982 * USDC));
}

#[ink::test]
fn collateral_that_runs_out_leaves_bad_debt_borne_by_lenders() {
    let mut data = funded();
    let borrower = account(BORROWER);
    data.borrow(borrower, 36 * USDC, 0, &valuation()).unwrap();
    // Utilization collapses to 5%: the collateral is worth 7.2 USDC for 36 USDC of debt.
    let collapsed = valued(ValuationInputs { utilization_bps: 500, ..inputs() });
    let before = data.total_assets().unwrap();
    let outcome = data.liquidate(borrower, 18 * USDC, 0, &collapsed).unwrap();
    // All 100 GPU-hours go for 7.2 / 1.05 = 6.857142 USDC; the other 29.142858 are written off.
    assert_eq!(outcome, Liquidation { repaid: 6_857_142, seized: 100 * GPU_HOUR, bad_debt: 29_142_858, recovered: 0 });
    let p = data.position(borrower);
    assert_eq!((p.collateral, p.scaled_debt, p.credit), (0, 0, 0));
    assert_eq!((data.totals().bad_debt, data.totals().scaled_debt, data.totals().collateral), (29_142_858, 0, 0));
    assert_eq!(data.total_assets(), Ok(before - 29_142_858));
    assert_eq!(data.liquidate(borrower, 1, 0, &collapsed), Err(Error::Healthy));
}

// ---- random histories --------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Deposit(u8, u128),
    Mint(u8, u128),
    Withdraw(u8, u128),
    Redeem(u8, u16),
    Lock(u8, u128),
    Unlock(u8, u128),
    Borrow(u8, u128),
    Repay(u8, u128),
    Yield(u128),
    Claim(u8),
    Liquidate(u8, u128),
    Time(u64),
    Utilization(u16),
    Rent(u128),
    Checkpoint(bool),
    Params(u16, u16, u32),
    Pause(bool),
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0u8..3;
    prop_oneof![
        3 => (who.clone(), 1u128..500 * USDC).prop_map(|(w, a)| Op::Deposit(w, a)),
        1 => (who.clone(), 1u128..500 * USDC).prop_map(|(w, a)| Op::Mint(w, a)),
        2 => (who.clone(), 1u128..500 * USDC).prop_map(|(w, a)| Op::Withdraw(w, a)),
        2 => (who.clone(), 1u16..=10_000).prop_map(|(w, f)| Op::Redeem(w, f)),
        3 => (who.clone(), 1u128..300 * GPU_HOUR).prop_map(|(w, a)| Op::Lock(w, a)),
        2 => (who.clone(), 1u128..300 * GPU_HOUR).prop_map(|(w, a)| Op::Unlock(w, a)),
        5 => (who.clone(), 1u128..40 * USDC).prop_map(|(w, a)| Op::Borrow(w, a)),
        2 => (who.clone(), 1u128..100 * USDC).prop_map(|(w, a)| Op::Repay(w, a)),
        2 => (1u128..50 * USDC).prop_map(Op::Yield),
        1 => who.clone().prop_map(Op::Claim),
        3 => (who.clone(), 1u128..100 * USDC).prop_map(|(w, a)| Op::Liquidate(w, a)),
        3 => (1u64..30 * 24 * HOUR).prop_map(Op::Time),
        // Past the period's end: the collateral is worthless and debts are written off.
        1 => Just(Op::Time(2 * 365 * 24 * HOUR)),
        2 => (0u16..=10_000).prop_map(Op::Utilization),
        2 => (0u128..60 * USDC).prop_map(Op::Rent),
        2 => any::<bool>().prop_map(Op::Checkpoint),
        1 => (1u16..=9_000, 0u16..=9_000, 0u32..=10_000).prop_map(|(t, h, s)| Op::Params(t, h, s)),
        1 => prop::bool::weighted(0.3).prop_map(Op::Pause),
    ]
}

/// About 0.72 USDC per GPU-hour of collateral, until two years of time have passed.
fn long_pool() -> ValuationInputs {
    // Two years left; 3,200 GPU-hours issued, valued over the 400-epoch horizon.
    ValuationInputs { period_end: 2 * 365 * 24 * HOUR, supply: 3_200 * GPU_HOUR, ..inputs() }
}

fn lender(who: u8) -> AccountId {
    account(10 + who)
}

fn borrower(who: u8) -> AccountId {
    account(20 + who)
}

/// What the vault's two balances should be, from the transfers its messages imply.
struct Model {
    stablecoin: u128,
    tokens: u128,
    inputs: ValuationInputs,
    /// The window's lowest and highest checkpointed unit values.
    low: Option<u128>,
    high: Option<u128>,
    lent: u128,
    redeemed: u128,
}

impl Model {
    fn valuation(&self, data: &VaultData) -> Valuation {
        let p = data.params();
        Valuation::new(self.inputs, p.haircut_bps, p.horizon_epochs, self.low, self.high)
    }
}

/// Share price as a fraction (assets + 1, shares + 1), compared by cross-multiplication.
fn price(data: &VaultData) -> (u128, u128) {
    (data.total_assets().unwrap() + 1, data.totals().shares + 1)
}

fn run(data: &mut VaultData, model: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    let now = model.inputs.now;
    let v = model.valuation(data);
    let before = price(data);
    let bad_before = data.totals().bad_debt;
    match *op {
        Op::Deposit(w, a) => {
            if data.deposit(lender(w), a, now).is_ok() {
                model.stablecoin += a;
                model.lent += a;
            }
        }
        Op::Mint(w, s) => {
            if let Ok(a) = data.mint(lender(w), s, now) {
                model.stablecoin += a;
                model.lent += a;
            }
        }
        Op::Withdraw(w, a) => {
            if data.withdraw(lender(w), a, now).is_ok() {
                model.stablecoin -= a;
                model.redeemed += a;
            }
        }
        Op::Redeem(w, f) => {
            let shares = data.shares_of(lender(w)) * u128::from(f) / 10_000;
            if let Ok(a) = data.redeem(lender(w), shares, now) {
                model.stablecoin -= a;
                model.redeemed += a;
            }
        }
        Op::Lock(w, a) => {
            if data.lock(borrower(w), a, now).is_ok() {
                model.tokens += a;
            }
        }
        Op::Unlock(w, a) => {
            if data.unlock(borrower(w), a, now, || Ok(v)).is_ok() {
                model.tokens -= a;
                let h = data.health(borrower(w), &v).unwrap();
                prop_assert!(h.debt <= h.borrow_limit, "an unlock left {h:?}");
            }
        }
        Op::Borrow(w, a) => {
            if data.borrow(borrower(w), a, now, &v).is_ok() {
                model.stablecoin -= a;
                let h = data.health(borrower(w), &v).unwrap();
                prop_assert!(h.debt <= h.borrow_limit, "a borrow left {h:?}");
            }
        }
        Op::Repay(w, a) => {
            if let Ok((paid, _)) = data.repay(borrower(w), a, now) {
                model.stablecoin += paid;
            }
        }
        Op::Yield(a) => {
            data.receive_yield(a).unwrap();
            model.stablecoin += a;
        }
        Op::Claim(w) => {
            if let Ok(a) = data.claim_credit(borrower(w), now) {
                model.stablecoin -= a;
            }
        }
        Op::Liquidate(w, a) => {
            let h = data.at(now).unwrap().health(borrower(w), &v).unwrap();
            let liquidatable = h.debt.saturating_sub(h.position.credit) > h.liquidation_limit;
            match data.liquidate(borrower(w), a, now, &v) {
                Ok(outcome) => {
                    prop_assert!(liquidatable, "liquidated a healthy position {h:?}");
                    prop_assert!(outcome.recovered == 0 || (v.ended() && outcome.seized == 0), "recovered {outcome:?} before the end");
                    model.stablecoin += outcome.repaid;
                    model.tokens -= outcome.seized;
                }
                Err(Error::Healthy) => prop_assert!(!liquidatable || h.debt == 0, "refused a liquidatable position {h:?}"),
                Err(_) => {}
            }
        }
        Op::Time(dt) => model.inputs.now += dt,
        Op::Utilization(u) => model.inputs.utilization_bps = u,
        Op::Rent(r) => model.inputs.recent_rent = r,
        // A valuation in an earlier epoch of the window widens its extremes; or the window moves
        // past everything but the value now.
        Op::Checkpoint(widen) => {
            let unit = v.unit_value();
            (model.low, model.high) = if widen {
                (Some(model.low.map_or(unit, |l| l.min(unit))), Some(model.high.map_or(unit, |h| h.max(unit))))
            } else {
                (Some(unit), Some(unit))
            };
        }
        Op::Params(t, h, s) => {
            let p = Params { liquidation_threshold_bps: t, ltv_bps: t.min(params().ltv_bps), haircut_bps: h, slope2_bps: s, ..data.params() };
            let _ = data.set_params(p, now);
        }
        Op::Pause(p) => data.set_paused(p),
    }
    // The share price never falls, except by bad debt recorded in this step.
    let after = price(data);
    let written_off = data.totals().bad_debt - bad_before;
    prop_assert!((after.0 + written_off) * before.1 >= before.0 * after.1, "share price fell: {before:?} → {after:?} after {op:?}");
    Ok(())
}

fn check(data: &VaultData, model: &Model) -> Result<(), TestCaseError> {
    let t = data.totals();
    prop_assert_eq!(model.stablecoin, t.cash + t.unsettled_yield + t.credit, "stablecoin held ≠ cash + yield + credit");
    let mut sum = Position::default();
    let mut debts = 0;
    let mut shares = 0;
    for w in 0..3 {
        let p = data.position(borrower(w));
        sum.collateral += p.collateral;
        sum.scaled_debt += p.scaled_debt;
        sum.credit += p.credit;
        debts += data.health(borrower(w), &model.valuation(data)).unwrap().debt;
        shares += data.shares_of(lender(w));
    }
    prop_assert_eq!((model.tokens, t.collateral), (sum.collateral + t.recovered, sum.collateral), "tokens held ≠ Σ collateral + recovered");
    prop_assert_eq!(t.scaled_debt, sum.scaled_debt);
    prop_assert_eq!(t.credit, sum.credit);
    prop_assert_eq!(t.shares, shares);
    // Lenders' claims are covered: stablecoin held + Σ debt ≥ what lenders own (bad debt is
    // already out of it), and what lenders own is exactly cash + debt.
    let total_debt = data.total_debt().unwrap();
    prop_assert!(debts + t.unsettled_yield >= total_debt, "Σ debts {debts} < total {total_debt}");
    prop_assert!(model.stablecoin + debts >= data.total_assets().unwrap());
    Ok(())
}

/// Liveness: with the pool valued again, every borrower repays, claims and unlocks, and every
/// lender redeems; what lenders got back plus the bad debt covers what they put in.
fn drain(data: &mut VaultData, model: &mut Model) -> Result<(), TestCaseError> {
    let now = model.inputs.now;
    data.set_paused(false);
    for w in 0..3 {
        let b = borrower(w);
        if let Ok((paid, left)) = data.repay(b, u128::MAX / 4, now) {
            model.stablecoin += paid;
            prop_assert_eq!(left, 0);
        }
        if let Ok(a) = data.claim_credit(b, now) {
            model.stablecoin -= a;
        }
        let collateral = data.position(b).collateral;
        if collateral > 0 {
            prop_assert_eq!(data.unlock(b, collateral, now, || Err(Error::StaleFeed)), Ok(()));
            model.tokens -= collateral;
        }
        let p = data.position(b);
        prop_assert_eq!((p.collateral, p.scaled_debt, p.credit), (0, 0, 0));
    }
    let per_share = data.preview_redeem(1).unwrap() + 1;
    let mut worthless = 0;
    for w in 0..3 {
        let shares = data.shares_of(lender(w));
        match data.redeem(lender(w), shares, now) {
            Ok(a) => {
                model.stablecoin -= a;
                model.redeemed += a;
            }
            // Only shares worth nothing (bad debt took everything) stay.
            Err(Error::ZeroShares) => {
                prop_assert_eq!(data.preview_redeem(shares), Ok(0), "lender {} refused", w);
                worthless += shares;
            }
            Err(e) => prop_assert!(false, "lender {w} refused: {e:?}"),
        }
    }
    let t = data.totals();
    prop_assert_eq!((t.shares, t.scaled_debt, t.collateral, t.credit, model.tokens), (worthless, 0, 0, 0, t.recovered), "the recovered units stay");
    // What stays is rounding: the unsettled yield's dust, and cash worth about a share per lender.
    prop_assert!(t.cash <= 4 * per_share, "cash left {} at {per_share} per share", t.cash);
    prop_assert!(model.redeemed + t.bad_debt + t.cash >= model.lent, "lenders lost more than the bad debt");
    prop_assert_eq!(model.stablecoin, t.cash + t.unsettled_yield);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, ..ProptestConfig::default() })]

    #[test]
    fn vault_books_balance_and_every_position_can_close(ops in proptest::collection::vec(op(), 1..80)) {
        let mut outcome = Ok(());
        ink::env::test::run_test::<ink::env::DefaultEnvironment, _>(|_| {
            let mut data = VaultData::new(Params { horizon_epochs: 400, ..params() }, 0).unwrap();
            let mut model = Model { stablecoin: 0, tokens: 0, inputs: long_pool(), low: None, high: None, lent: 0, redeemed: 0 };
            let unit = model.valuation(&data).unit_value();
            (model.low, model.high) = (Some(unit), Some(unit));
            outcome = ops.iter().try_for_each(|op| {
                run(&mut data, &mut model, op)?;
                check(&data, &model)
            }).and_then(|()| drain(&mut data, &mut model));
            Ok(())
        }).unwrap();
        outcome?;
    }
}

// ---- review findings (adversarial review 7) ------------------------------------------------

/// F1: a value that moves within an epoch (the operator's price, a reporter majority, a mint)
/// can neither open a loan nor close one: borrowing counts the lower of now and the latest
/// earlier checkpoint, liquidation the higher; without a checkpoint, neither happens.
#[ink::test]
fn a_value_moved_within_an_epoch_opens_no_loan_and_closes_none() {
    let mut data = funded();
    let borrower = account(BORROWER);
    // Pumped now (576 for the pool), 288 the window's lowest: 100 GPU-hours count 36, limit 18.
    let pumped = Valuation { low: Some(unit(288 * USDC)), ..valuation() };
    assert_eq!(data.borrow(borrower, 18 * USDC + 1, 0, &pumped), Err(Error::ExceedsBorrowLimit));
    assert_eq!(data.borrow(borrower, 18 * USDC, 0, &pumped), Ok(18 * USDC));
    // Dumped now (the operator's price at 1 unit), 576 the window's highest: still healthy.
    let dumped = Valuation::new(ValuationInputs { price_per_gpu_hour: 1, ..inputs() }, 2_000, 100, Some(1), Some(unit(576 * USDC)));
    assert_eq!(dumped.current, 288);
    assert_eq!(data.liquidate(borrower, 9 * USDC, 0, &dumped), Err(Error::Healthy));
    // No earlier checkpoint: nothing to borrow against, nothing to liquidate at.
    let fresh = Valuation { low: None, high: None, ..valuation() };
    assert_eq!(data.borrow(borrower, 1, 0, &fresh), Err(Error::Unpriced));
    let collapsed = Valuation::new(ValuationInputs { utilization_bps: 1, ..inputs() }, 2_000, 100, None, None);
    assert_eq!(data.liquidate(borrower, 9 * USDC, 0, &collapsed), Err(Error::Unpriced));
}

/// F4: after the tokenization period the tokens earn nothing: a liquidator takes them for
/// nothing and the whole debt is written off at once, instead of accruing on paper forever.
/// Review 7b, G7b: the write-off used to hand the worthless tokens to the caller, and with them
/// the yield they still earn after the period (the last epochs' rent, the stream still running),
/// which would have repaid part of the debt. Now they stay in the vault as the lenders', and
/// that yield joins the lenders' cash, pro rata beside the collateral still locked.
#[ink::test]
fn after_the_period_the_debt_is_written_off() {
    let mut data = funded();
    let (borrower, other) = (account(BORROWER), account(OTHER));
    data.lock(other, 300 * GPU_HOUR, 0).unwrap();
    data.borrow(borrower, 36 * USDC, 0, &valuation()).unwrap();
    // Review 9, R9-2: at the period's end its last yield is still on its way (settlements,
    // disputes, the stream): it repays the debt first, so nothing is written off before it.
    let early = Valuation::new(ValuationInputs { now: 100 * HOUR, yield_until: 130 * HOUR, ..inputs() }, 2_000, 100, Some(0), Some(0));
    assert_eq!(data.liquidate(borrower, 1, 100 * HOUR, &early), Err(Error::YieldPending));
    let ended = Valuation::new(ValuationInputs { now: 100 * HOUR, ..inputs() }, 2_000, 100, Some(0), Some(0));
    assert_eq!(ended.liquidation_value(), 0);
    let outcome = data.liquidate(borrower, 1, 100 * HOUR, &ended).unwrap();
    assert_eq!(outcome, Liquidation { repaid: 0, seized: 0, bad_debt: outcome.bad_debt, recovered: 100 * GPU_HOUR });
    assert!(outcome.bad_debt > 36 * USDC, "interest for 100 hours: {}", outcome.bad_debt);
    let t = data.totals();
    assert_eq!((t.scaled_debt, t.collateral, t.recovered, t.bad_debt), (0, 300 * GPU_HOUR, 100 * GPU_HOUR, outcome.bad_debt));
    assert_eq!(data.total_assets(), Ok(964 * USDC));
    // The last rent arrives: 40 USDC over 400 units, 10 for the recovered 100 to the lenders at
    // once, 30 for the 300 still locked.
    data.receive_yield(40 * USDC).unwrap();
    assert_eq!((data.totals().cash, data.totals().unsettled_yield), (974 * USDC, 30 * USDC));
    assert_eq!(data.total_assets(), Ok(974 * USDC));
    assert_eq!(data.touch(other, 100 * HOUR), Ok(Settled { repaid: 0, credited: 30 * USDC }));
    // Once no collateral is locked, all of it is the lenders'.
    data.unlock(other, 300 * GPU_HOUR, 100 * HOUR, || Ok(ended)).unwrap();
    data.receive_yield(7).unwrap();
    assert_eq!(data.totals().cash, 974 * USDC + 7);
    assert_eq!(data.liquidate(borrower, 1, 100 * HOUR, &ended), Err(Error::Healthy), "nothing left to write off");
}

/// G5 (review 7b): a million USDC lent and left unpaid for thirty years at the highest rates the
/// bounds allow (the index saturates at u128::MAX) keeps every figure computable: the debt is the
/// scaled debt times the index exactly, deposits are priced, and repaying in full closes it.
/// It used to overflow `scaled debt × index` after 6.6 years and refuse every message.
#[ink::test]
fn a_debt_left_for_decades_at_the_highest_rates_stays_computable() {
    let highest = Params { base_rate_bps: 10_000, slope1_bps: 10_000, slope2_bps: 10_000, ..params() };
    let mut data = VaultData::new(highest, 0).unwrap();
    let borrower = account(BORROWER);
    data.deposit(account(LENDER), 1_000_000 * USDC, 0).unwrap();
    data.lock(borrower, 100 * GPU_HOUR, 0).unwrap();
    let rich = valued(ValuationInputs { price_per_gpu_hour: 100_000 * USDC, recent_rent: u128::MAX / 2, ..inputs() });
    data.borrow(borrower, 1_000_000 * USDC, 0, &rich).unwrap();
    let day = 86_400_000u64;
    let mut overflowed_at = None;
    for d in 1..=30 * 366u64 {
        data.accrue(d * day).unwrap();
        if overflowed_at.is_none() && data.totals().scaled_debt.checked_mul(data.totals().index).is_none() {
            overflowed_at = Some(d);
        }
    }
    assert!(overflowed_at.is_some_and(|d| d < 3_000), "the plain product overflows within ~6.6 years: {overflowed_at:?}");
    assert_eq!(data.totals().index, u128::MAX, "the index saturated");
    let (scaled, index) = (data.totals().scaled_debt, data.totals().index);
    let debt = data.total_debt().unwrap();
    assert_eq!(debt, scaled * (index / RAY) + scaled * (index % RAY) / RAY);
    assert_eq!(data.debt_of(&data.position(borrower)).unwrap(), debt + u128::from(scaled * (index % RAY) % RAY != 0));
    assert_eq!(data.utilization_bps(), Ok(10_000), "everything lent");
    let now = 30 * 366 * day;
    // A share is now worth ~3.4 × 10^20 units: a deposit of a unit less is refused for buying
    // nothing, not for an overflow.
    assert_eq!(data.deposit(account(OTHER), USDC, now), Err(Error::ZeroShares));
    assert!(data.preview_deposit(10u128.pow(21)).is_ok_and(|shares| shares >= 1), "a deposit of a share's worth is priced");
    let owed = data.debt_of(&data.position(borrower)).unwrap();
    assert_eq!(data.repay(borrower, u128::MAX, now), Ok((owed, 0)));
    assert_eq!(data.total_debt(), Ok(0));
}

/// F8: a payment smaller than one index unit burns nothing and is not taken: a repayment is
/// refused, and yield stays the borrower's credit instead of vanishing into the lenders' cash.
#[ink::test]
fn payments_too_small_to_burn_debt_are_not_taken() {
    let mut data = funded();
    let borrower = account(BORROWER);
    data.borrow(borrower, 36 * USDC, 0, &valuation()).unwrap();
    let year = u64::try_from(YEAR_MS).unwrap();
    data.accrue(year).unwrap();
    let cash = data.totals().cash;
    assert_eq!(data.repay(borrower, 1, year), Err(Error::ZeroAmount));
    data.receive_yield(1).unwrap();
    assert_eq!(data.touch(borrower, year), Ok(Settled { repaid: 0, credited: 1 }));
    assert_eq!((data.totals().cash, data.position(borrower).credit), (cash, 1));
    // A payment of 2 units burns what 2 units buy and takes no more than that is worth.
    let (paid, _) = data.repay(borrower, 2, year).unwrap();
    assert!(paid <= 2 && paid > 0);
    assert_eq!(data.totals().cash, cash + paid);
}

/// F10: a borrower's credit pays its debt before a liquidator does, and before any write-off.
#[ink::test]
fn credit_pays_the_debt_before_a_liquidation() {
    let mut data = funded();
    let borrower = account(BORROWER);
    data.receive_yield(5 * USDC).unwrap();
    assert_eq!(data.touch(borrower, 0), Ok(Settled { repaid: 0, credited: 5 * USDC }));
    data.borrow(borrower, 36 * USDC, 0, &valuation()).unwrap();
    // Utilization halves: limit 25.2 against 36 − 5 = 31 of net debt; half of 31 is repaid.
    let fallen = valued(ValuationInputs { utilization_bps: 2_500, ..inputs() });
    assert_eq!(data.health(borrower, &fallen).unwrap().health_factor_bps, 8_129);
    let outcome = data.liquidate(borrower, 100 * USDC, 0, &fallen).unwrap();
    assert_eq!(outcome.repaid, 15_500_000);
    assert_eq!((data.position(borrower).credit, data.totals().credit), (0, 0));
    assert_eq!(data.totals().cash, 964 * USDC + 5 * USDC + 15_500_000);
    assert_eq!(data.health(borrower, &fallen).unwrap().debt, 15_500_000);
}

/// F2: rent is what the token's cumulative `distributed` grew by since the oldest checkpoint of
/// the trailing epochs (never a page of distribution records), over the time since. Review 7b
/// (G1): every valuation widens its epoch's lowest and highest unit value, and the window's
/// extremes bound borrowing and liquidation, so a dip taken as an epoch's first valuation is lifted
/// by any later one in the window.
#[ink::test]
fn checkpoints_measure_rent_and_keep_the_windows_extremes() {
    let mut data = vault();
    assert!(data.checkpoint(3, 3 * HOUR, 100 * USDC, Some(unit(500 * USDC))));
    // A later valuation in epoch 3: the rent baseline stays, the extremes widen.
    assert!(data.checkpoint(3, 3 * HOUR + 5, 999 * USDC, Some(unit(300 * USDC))));
    assert!(!data.checkpoint(3, 3 * HOUR + 9, 999 * USDC, Some(unit(400 * USDC))), "inside the extremes: unchanged");
    assert!(!data.checkpoint(3, 3 * HOUR + 9, 999 * USDC, None), "no value: unchanged");
    // Epoch 4's only valuation had no rent baseline: it keeps the baseline, not a value.
    assert!(data.checkpoint(4, 4 * HOUR, 105 * USDC, None));
    assert!(data.checkpoint(5, 5 * HOUR, 110 * USDC, Some(unit(288))));
    assert!(data.checkpoint(5, 5 * HOUR + 1, 110 * USDC, Some(unit(576 * USDC))));
    // At epoch 7 (trailing 4: epochs 3–6): rent since epoch 3's first valuation; extremes 288 units and 576 USDC.
    let (oldest, low, high) = data.window(7);
    assert_eq!((oldest.map(|c| (c.at, c.rent)), low, high), (Some((3 * HOUR, 100 * USDC)), Some(unit(288)), Some(unit(576 * USDC))));
    let v = data.valuation(ValuationInputs { now: 7 * HOUR + HOUR / 2, ..inputs() }, 7, 128_800_000);
    assert_eq!((v.inputs.recent_rent, v.inputs.rent_window_ms), (28_800_000, 4 * HOUR + HOUR / 2));
    // The operator's dip (288 units for the pool) never lowers what liquidation counts.
    assert_eq!((v.borrow_value(), v.liquidation_value()), (288, 576 * USDC));
    // At epoch 12 nothing lies within the window: no rent measured, no value to lend at.
    assert_eq!(data.window(12), (None, None, None));
    let v = data.valuation(inputs(), 12, 500 * USDC);
    assert_eq!((v.inputs.recent_rent, v.borrow_value(), v.liquidation_value()), (0, 0, 0));
}
