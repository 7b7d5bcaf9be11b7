//! Unit and property tests of the market's rules: every refusal, the books' order, the exact
//! cost of fills, and random sequences of every message against a model of both assets.

use crate::market::*;
use compute_rwa_common::EpochSchedule;
use ink::primitives::AccountId;
use proptest::prelude::*;
use std::collections::BTreeMap;

const HOUR: u64 = 3_600_000;
const USDC: u128 = 1_000_000;
const GPU_HOUR: u128 = UNITS_PER_GPU_HOUR;
const SELLER: u8 = 1;
const BUYER: u8 = 2;
const TAKER: u8 = 3;

fn account(byte: u8) -> AccountId {
    AccountId::from([byte; 32])
}

fn schedule() -> EpochSchedule {
    EpochSchedule { genesis: 0, epoch_length: HOUR, gpus: 8, report_window: HOUR }
}

fn market() -> MarketData {
    MarketData::new(schedule(), 100).unwrap()
}

/// Posts with plenty available.
fn post(data: &mut MarketData, maker: u8, side: Side, price: u128, amount: u128, after: Option<OrderId>) -> Result<OrderId, Error> {
    data.post(account(maker), side, price, amount, 10 * HOUR, after, 0, u128::MAX, MAX_FEE_BPS)
}

fn book(data: &MarketData, side: Side) -> Vec<(OrderId, u128)> {
    data.page(side, None, None, MAX_PAGE).into_iter().map(|(id, o)| (id, o.price)).collect()
}

fn mine(data: &MarketData, maker: u8) -> Vec<OrderId> {
    data.page(Side::Sell, Some(account(maker)), None, MAX_PAGE).into_iter().map(|(id, _)| id).collect()
}

#[ink::test]
fn posting_refuses_what_cannot_trade() {
    let mut data = market();
    let maker = account(SELLER);
    assert_eq!(data.post(maker, Side::Sell, 2 * USDC, 0, HOUR, None, 0, u128::MAX, MAX_FEE_BPS), Err(Error::ZeroAmount));
    assert_eq!(data.post(maker, Side::Sell, 0, GPU_HOUR, HOUR, None, 0, u128::MAX, MAX_FEE_BPS), Err(Error::ZeroPrice));
    assert_eq!(data.post(maker, Side::Sell, 2 * USDC, GPU_HOUR, HOUR, None, HOUR, u128::MAX, MAX_FEE_BPS), Err(Error::Expired));
    // Selling 10 GPU-hours needs 10 GPU-hours available; buying them at 2 USDC needs 20 USDC.
    assert_eq!(data.post(maker, Side::Sell, 2 * USDC, 10 * GPU_HOUR, HOUR, None, 0, 10 * GPU_HOUR - 1, MAX_FEE_BPS), Err(Error::Unfunded));
    assert_eq!(data.post(maker, Side::Sell, 2 * USDC, 10 * GPU_HOUR, HOUR, None, 0, 10 * GPU_HOUR, MAX_FEE_BPS), Ok(1));
    // The open order counts: a second one needs its own cover on top.
    assert_eq!(data.post(maker, Side::Sell, 2 * USDC, GPU_HOUR, HOUR, Some(1), 0, 10 * GPU_HOUR, MAX_FEE_BPS), Err(Error::Unfunded));
    assert_eq!(data.post(maker, Side::Buy, 2 * USDC, 10 * GPU_HOUR, HOUR, None, 0, 20 * USDC - 1, MAX_FEE_BPS), Err(Error::Unfunded));
    assert_eq!(data.post(maker, Side::Buy, 2 * USDC, 10 * GPU_HOUR, HOUR, None, 0, 20 * USDC, MAX_FEE_BPS), Ok(2));
    assert_eq!((data.open(maker, Side::Sell), data.open(maker, Side::Buy)), (10 * GPU_HOUR, 20 * USDC));
    data.set_paused(true);
    assert_eq!(post(&mut data, SELLER, Side::Sell, 3 * USDC, 1, None), Err(Error::Paused));
    assert_eq!(data.fill(account(TAKER), 1, 1, 0, MAX_FEE_BPS).err(), Some(Error::Paused));
    assert_eq!(data.cancel(maker, 1).map(|o| o.amount), Ok(10 * GPU_HOUR), "cancelling stays open while paused");
    assert_eq!(data.set_fee(MAX_FEE_BPS + 1), Err(Error::InvalidFee));
    assert_eq!(MarketData::new(schedule(), MAX_FEE_BPS + 1).err(), Some(Error::InvalidFee));
}

#[ink::test]
fn books_keep_the_best_price_first_and_posting_order_within_a_price() {
    let mut data = market();
    // Sells, lowest first: 3 at the top, 2 after it, then two at 4 in posting order.
    assert_eq!(post(&mut data, SELLER, Side::Sell, 3 * USDC, 1, None), Ok(1));
    assert_eq!(post(&mut data, SELLER, Side::Sell, 4 * USDC, 1, Some(1)), Ok(2));
    assert_eq!(post(&mut data, SELLER, Side::Sell, 2 * USDC, 1, None), Ok(3));
    assert_eq!(post(&mut data, BUYER, Side::Sell, 4 * USDC, 1, Some(2)), Ok(4));
    assert_eq!(book(&data, Side::Sell), vec![(3, 2 * USDC), (1, 3 * USDC), (2, 4 * USDC), (4, 4 * USDC)]);
    // A position where the price does not belong is refused, whichever way it is wrong.
    assert_eq!(post(&mut data, SELLER, Side::Sell, 3 * USDC, 1, None), Err(Error::StalePosition), "2 is better: not the top");
    assert_eq!(post(&mut data, SELLER, Side::Sell, 3 * USDC, 1, Some(3)), Err(Error::StalePosition), "before an equal price");
    assert_eq!(post(&mut data, SELLER, Side::Sell, 3 * USDC, 1, Some(2)), Err(Error::StalePosition), "after a worse price");
    assert_eq!(post(&mut data, SELLER, Side::Sell, 3 * USDC, 1, Some(99)), Err(Error::StalePosition), "unknown order");
    // Buys, highest first.
    assert_eq!(post(&mut data, BUYER, Side::Buy, USDC, 1, None), Ok(5));
    assert_eq!(post(&mut data, BUYER, Side::Buy, USDC / 2, 1, Some(5)), Ok(6));
    assert_eq!(post(&mut data, BUYER, Side::Buy, USDC + 1, 1, None), Ok(7));
    assert_eq!(post(&mut data, BUYER, Side::Buy, USDC, 1, Some(1)), Err(Error::StalePosition), "a sell order's place");
    assert_eq!(book(&data, Side::Buy), vec![(7, USDC + 1), (5, USDC), (6, USDC / 2)]);
    assert_eq!((data.best(Side::Sell), data.best(Side::Buy)), (Some(3), Some(7)));
    // Each maker's orders, newest first; pages continue from a cursor.
    assert_eq!(mine(&data, SELLER), vec![3, 2, 1]);
    assert_eq!(mine(&data, BUYER), vec![7, 6, 5, 4]);
    let first: Vec<OrderId> = data.page(Side::Sell, None, None, 2).into_iter().map(|(id, _)| id).collect();
    assert_eq!(first, vec![3, 1]);
    let next = data.order(1).unwrap().book.next;
    assert_eq!(data.page(Side::Sell, None, next, 2).into_iter().map(|(id, _)| id).collect::<Vec<_>>(), vec![2, 4]);
    // Removing from the middle, the top and the end keeps both kinds of list joined.
    data.cancel(account(SELLER), 1).unwrap();
    data.cancel(account(SELLER), 3).unwrap();
    data.cancel(account(BUYER), 4).unwrap();
    assert_eq!(book(&data, Side::Sell), vec![(2, 4 * USDC)]);
    assert_eq!((mine(&data, SELLER), mine(&data, BUYER)), (vec![2], vec![7, 6, 5]));
    assert_eq!(data.cancel(account(SELLER), 7), Err(Error::NotMaker));
    assert_eq!(data.cancel(account(SELLER), 1), Err(Error::UnknownOrder));
}

#[ink::test]
fn fills_pay_the_whole_cost_to_the_unit_however_the_order_is_split() {
    let mut data = market();
    // 3 units at 2.500001 USDC per GPU-hour: 7.500003 units of stablecoin, rounded up to 8.
    let id = post(&mut data, SELLER, Side::Sell, 2_500_001, 3, None).unwrap();
    assert_eq!(cost(3, 2_500_001), Ok(8));
    let taker = account(TAKER);
    assert_eq!(data.fill(account(SELLER), id, 1, 0, MAX_FEE_BPS).err(), Some(Error::SelfTrade));
    assert_eq!(data.fill(taker, id, 0, 0, MAX_FEE_BPS).err(), Some(Error::ZeroAmount));
    assert_eq!(data.fill(taker, id, 4, 0, MAX_FEE_BPS).err(), Some(Error::ExceedsOrder));
    assert_eq!(data.fill(taker, 9, 1, 0, MAX_FEE_BPS).err(), Some(Error::UnknownOrder));
    assert_eq!(data.fill(taker, id, 1, 10 * HOUR, MAX_FEE_BPS).err(), Some(Error::Expired));
    let costs: Vec<u128> = (0..3).map(|_| data.fill(taker, id, 1, HOUR, MAX_FEE_BPS).unwrap().cost).collect();
    assert_eq!(costs, vec![2, 3, 3], "cost before − cost after, each fill");
    assert_eq!(data.order(id), None, "used up");
    assert_eq!(data.open(account(SELLER), Side::Sell), 0);
    assert_eq!(data.volume(1), Volume { units: 3, notional: 8, fills: 3 });
}

/// Review 11, M1: the owner raised the fee between a maker's post and a taker's fill (or just
/// before a fill it saw coming), and the seller received up to 9% less than it accepted. An
/// order now pays at most the fee it was posted with; a lower fee set since applies.
#[ink::test]
fn a_resting_order_never_pays_a_fee_raised_after_it_was_posted() {
    let mut data = market();
    let taker = account(TAKER);
    let sell = post(&mut data, SELLER, Side::Sell, 2 * USDC, 10 * GPU_HOUR, None).unwrap();
    assert_eq!(data.order(sell).map(|o| o.fee_bps), Some(100));
    // Raised to 10%: the 1% order still pays 1% (0.08 of 8 USDC).
    data.set_fee(MAX_FEE_BPS).unwrap();
    assert_eq!(data.fill(taker, sell, 4 * GPU_HOUR, HOUR, MAX_FEE_BPS).map(|f| f.fee), Ok(80_000));
    // An order posted now accepts 10%.
    let later = post(&mut data, BUYER, Side::Sell, 2 * USDC, 10 * GPU_HOUR, Some(sell)).unwrap();
    assert_eq!(data.fill(taker, later, GPU_HOUR, HOUR, MAX_FEE_BPS).map(|f| f.fee), Ok(200_000));
    // Lowered to 0.5%: both pay the lower fee.
    data.set_fee(50).unwrap();
    assert_eq!(data.fill(taker, sell, 2 * GPU_HOUR, HOUR, MAX_FEE_BPS).map(|f| f.fee), Ok(20_000));
    assert_eq!(data.fill(taker, later, 2 * GPU_HOUR, HOUR, MAX_FEE_BPS).map(|f| f.fee), Ok(20_000));
}

/// Review 11, second review: an order capped the fee at the market's fee when it landed, so the
/// owner could raise the fee just before a post landed (the maker of a sell order then accepted
/// 10% without seeing it), or raise a lowered fee back up to a buy order's cap just before a
/// fill landed (the taker, who sells into it and saw the lower fee, received less). Both calls
/// now carry the fee their caller saw, and a higher one refuses them.
#[ink::test]
fn a_post_or_fill_never_pays_more_fee_than_its_caller_saw() {
    let mut data = market();
    let (seller, buyer, taker) = (account(SELLER), account(BUYER), account(TAKER));
    // The maker saw 1%; the owner raised it to 10% first: refused, nothing posted.
    data.set_fee(MAX_FEE_BPS).unwrap();
    assert_eq!(data.post(seller, Side::Sell, 2 * USDC, 10 * GPU_HOUR, HOUR, None, 0, u128::MAX, 100), Err(Error::FeeAboveLimit));
    assert_eq!((data.last_id(), data.open(seller, Side::Sell)), (0, 0));
    // A buy order posted at 10%, the fee lowered to 1%: a taker sees 1%.
    let bid = data.post(buyer, Side::Buy, 2 * USDC, 10 * GPU_HOUR, HOUR, None, 0, u128::MAX, MAX_FEE_BPS).unwrap();
    assert_eq!(data.order(bid).map(|o| o.fee_bps), Some(MAX_FEE_BPS));
    data.set_fee(100).unwrap();
    // The owner raises it back before the taker's fill lands: refused, the order untouched.
    data.set_fee(MAX_FEE_BPS).unwrap();
    assert_eq!(data.fill(taker, bid, 4 * GPU_HOUR, 0, 100).err(), Some(Error::FeeAboveLimit));
    assert_eq!((data.order(bid).map(|o| o.amount), data.open(buyer, Side::Buy), data.volume(0).fills), (Some(10 * GPU_HOUR), 20 * USDC, 0));
    // At the fee it would pay, the fill goes through: 10% of 8 USDC.
    assert_eq!(data.fill(taker, bid, 4 * GPU_HOUR, 0, MAX_FEE_BPS - 1).err(), Some(Error::FeeAboveLimit));
    assert_eq!(data.fill(taker, bid, 4 * GPU_HOUR, 0, MAX_FEE_BPS).map(|f| f.fee), Ok(800_000));
    // The limit is held against what the fill pays: a 1% order under a 10% market fee pays 1%.
    let ask = data.post(seller, Side::Sell, 2 * USDC, 10 * GPU_HOUR, HOUR, None, 0, u128::MAX, MAX_FEE_BPS).unwrap();
    data.set_fee(100).unwrap();
    let cheap = data.post(seller, Side::Sell, 2 * USDC, GPU_HOUR, HOUR, Some(ask), 0, u128::MAX, 100).unwrap();
    data.set_fee(MAX_FEE_BPS).unwrap();
    assert_eq!(data.fill(taker, cheap, GPU_HOUR, 0, 100).map(|f| f.fee), Ok(20_000));
    assert_eq!(data.fill(taker, ask, GPU_HOUR, 0, 100).err(), Some(Error::FeeAboveLimit));
    // Lowered again, the 10% order pays 1%, and a limit of 1% is enough: the limit is held
    // against what the fill pays, not against the order's recorded ceiling.
    data.set_fee(100).unwrap();
    assert_eq!(data.fill(taker, ask, GPU_HOUR, 0, 100).map(|f| f.fee), Ok(20_000));
}

/// Review 11, I1: a sell order whose whole cost overflows could be posted and never filled.
#[ink::test]
fn an_order_whose_cost_cannot_be_paid_is_refused() {
    let mut data = market();
    assert_eq!(post(&mut data, SELLER, Side::Sell, u128::MAX, 2 * GPU_HOUR, None), Err(Error::Overflow));
    assert_eq!(post(&mut data, SELLER, Side::Buy, u128::MAX, 2 * GPU_HOUR, None), Err(Error::Overflow));
    assert_eq!(post(&mut data, SELLER, Side::Sell, u128::MAX, 1, None), Ok(1), "one unit at the highest price is payable");
}

#[ink::test]
fn a_fill_names_both_parties_and_the_fee_and_releases_the_makers_commitment() {
    let mut data = market();
    let (seller, buyer, taker) = (account(SELLER), account(BUYER), account(TAKER));
    let sell = post(&mut data, SELLER, Side::Sell, 2 * USDC, 10 * GPU_HOUR, None).unwrap();
    let buy = post(&mut data, BUYER, Side::Buy, USDC, 10 * GPU_HOUR, None).unwrap();
    // The taker buys 4 GPU-hours at 2 USDC: pays 8 USDC, 1% (0.08) to the fee recipient.
    let fill = data.fill(taker, sell, 4 * GPU_HOUR, 2 * HOUR, MAX_FEE_BPS).unwrap();
    assert_eq!(fill, Fill { maker: seller, side: Side::Sell, price: 2 * USDC, amount: 4 * GPU_HOUR, cost: 8 * USDC, fee: 80_000, done: false });
    assert_eq!(fill.parties(taker), (seller, taker));
    assert_eq!(data.open(seller, Side::Sell), 6 * GPU_HOUR);
    // The taker sells 10 GPU-hours into the buy order: the maker pays 10 USDC, all of it committed.
    let fill = data.fill(taker, buy, 10 * GPU_HOUR, 2 * HOUR, MAX_FEE_BPS).unwrap();
    assert_eq!((fill.parties(taker), fill.cost, fill.fee, fill.done), ((taker, buyer), 10 * USDC, 100_000, true));
    assert_eq!((data.open(buyer, Side::Buy), data.best(Side::Buy)), (0, None));
    assert_eq!(data.volume(2), Volume { units: 14 * GPU_HOUR, notional: 18 * USDC, fills: 2 });
}

#[ink::test]
fn anyone_clears_an_expired_or_unfunded_order_and_nobody_a_live_one() {
    let mut data = market();
    let id = post(&mut data, SELLER, Side::Buy, 2 * USDC, 5 * GPU_HOUR, None).unwrap();
    // Live and funded (10 USDC committed, 10 available): not clearable.
    assert_eq!(data.clear(id, HOUR, |_| Ok(10 * USDC)), Err(Error::NotClearable));
    // The maker spent some of it: anyone clears it.
    assert_eq!(data.clear(id, HOUR, |o| Ok(o.need().unwrap() - 1)).map(|o| o.amount), Ok(5 * GPU_HOUR));
    assert_eq!((data.order(id), data.open(account(SELLER), Side::Buy)), (None, 0));
    // Expired: cleared without asking what the maker holds.
    let id = post(&mut data, SELLER, Side::Sell, 2 * USDC, GPU_HOUR, None).unwrap();
    assert_eq!(data.clear(id, 10 * HOUR, |_| Err(Error::CallFailed)).map(|o| o.maker), Ok(account(SELLER)));
    assert_eq!(data.clear(id, 10 * HOUR, |_| Ok(0)), Err(Error::UnknownOrder));
}

// ---- random sequences against a model of both assets -----------------------------------------

#[derive(Debug, Clone)]
enum Op {
    /// (maker, buy, price step, GPU-hours, expiry in hours, place right or at random, fee limit)
    Post(u8, bool, u8, u8, u8, Option<u8>, u16),
    /// (taker, order pick, units fraction in 1/8ths, fee limit)
    Fill(u8, u8, u8, u16),
    Cancel(u8, u8),
    Clear(u8),
    Spend(u8, u8),
    Time(u8),
    Fee(u16),
    Pause(bool),
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0u8..5;
    prop_oneof![
        6 => (who.clone(), any::<bool>(), 1u8..6, 1u8..20, 1u8..8, proptest::option::weighted(0.1, any::<u8>()), limit())
            .prop_map(|(m, b, p, a, e, h, l)| Op::Post(m, b, p, a, e, h, l)),
        6 => (who.clone(), any::<u8>(), 1u8..=9, limit()).prop_map(|(t, p, f, l)| Op::Fill(t, p, f, l)),
        1 => (who.clone(), any::<u8>()).prop_map(|(w, p)| Op::Cancel(w, p)),
        1 => any::<u8>().prop_map(Op::Clear),
        1 => (who, 1u8..10).prop_map(|(w, a)| Op::Spend(w, a)),
        2 => (1u8..4).prop_map(Op::Time),
        1 => (0u16..=1_200).prop_map(Op::Fee),
        1 => proptest::bool::weighted(0.2).prop_map(Op::Pause),
    ]
}

/// The fee a caller accepts: mostly any, sometimes just below or at what the market charges.
fn limit() -> impl Strategy<Value = u16> {
    prop_oneof![3 => Just(MAX_FEE_BPS), 1 => 0u16..=MAX_FEE_BPS]
}

const FEES: u8 = 9;

struct Model {
    now: u64,
    tokens: BTreeMap<u8, u128>,
    coins: BTreeMap<u8, u128>,
    /// Open orders: id → (maker, original amount, paid so far, the fee when posted).
    open: BTreeMap<OrderId, (u8, u128, u128, u16)>,
    filled: u128,
    paid: u128,
}

impl Model {
    fn new() -> Self {
        let start = |amount| (0..5u8).map(|w| (w, amount)).collect::<BTreeMap<_, _>>();
        Model { now: 0, tokens: start(40 * GPU_HOUR), coins: start(200 * USDC), open: BTreeMap::new(), filled: 0, paid: 0 }
    }

    fn who(&self, account: AccountId) -> u8 {
        (0..=FEES).find(|w| account == account_of(*w)).unwrap()
    }

    fn available(&self, w: u8, side: Side) -> u128 {
        match side {
            Side::Sell => self.tokens[&w],
            Side::Buy => self.coins[&w],
        }
    }
}

fn account_of(w: u8) -> AccountId {
    account(10 + w)
}

/// Where an order of `side` at `price` belongs: after the last order at a better or equal price.
fn place_in(data: &MarketData, side: Side, price: u128) -> Option<OrderId> {
    place(&data.page(side, None, None, MAX_PAGE), side, price)
}

fn pick(model: &Model, p: u8) -> Option<OrderId> {
    let ids: Vec<OrderId> = model.open.keys().copied().collect();
    (!ids.is_empty()).then(|| ids[p as usize % ids.len()])
}

fn run(data: &mut MarketData, model: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    let now = model.now;
    match *op {
        Op::Post(m, buy, step, hours, expiry, hint, limit) => {
            let side = if buy { Side::Buy } else { Side::Sell };
            let price = u128::from(step) * USDC / 2 + 1;
            let amount = u128::from(hours) * GPU_HOUR / 3;
            let after = match hint {
                None => place_in(data, side, price),
                Some(h) => pick(model, h),
            };
            let available = model.available(m, side);
            let committed = data.open(account_of(m), side) + if buy { cost(amount, price).unwrap() } else { amount };
            match data.post(account_of(m), side, price, amount, now + u64::from(expiry) * HOUR, after, now, available, limit) {
                Ok(id) => {
                    prop_assert!(committed <= available, "posted beyond the maker's funds");
                    prop_assert!(data.fee_bps() <= limit, "posted above the maker's fee limit");
                    model.open.insert(id, (m, amount, 0, data.fee_bps()));
                }
                Err(Error::Unfunded) => prop_assert!(committed > available),
                Err(Error::StalePosition) => prop_assert!(hint.is_some(), "refused the right place"),
                Err(Error::Paused) => prop_assert!(data.paused()),
                Err(Error::FeeAboveLimit) => prop_assert!(data.fee_bps() > limit),
                Err(e) => prop_assert!(false, "post refused: {e:?}"),
            }
        }
        Op::Fill(t, p, eighths, limit) => {
            let Some(id) = pick(model, p) else { return Ok(()) };
            let order = data.order(id).unwrap();
            let amount = (order.amount * u128::from(eighths) / 8).max(1);
            let left = order.amount.saturating_sub(amount);
            let price_of = cost(order.amount, order.price).unwrap() - cost(left, order.price).unwrap();
            let maker = model.who(order.maker);
            let (seller, buyer) = if order.side == Side::Sell { (maker, t) } else { (t, maker) };
            let refusal = if data.paused() {
                Some(Error::Paused)
            } else if maker == t {
                Some(Error::SelfTrade)
            } else if now >= order.expiry {
                Some(Error::Expired)
            } else if model.open[&id].3.min(data.fee_bps()) > limit {
                Some(Error::FeeAboveLimit)
            } else if amount > order.amount {
                Some(Error::ExceedsOrder)
            } else {
                None
            };
            // The ink! layer moves both legs or reverts everything (drink tests): here only
            // fills both parties can pay are made.
            if refusal.is_none() && (model.tokens[&seller] < amount || model.coins[&buyer] < price_of) {
                return Ok(());
            }
            match (data.fill(account_of(t), id, amount, now, limit), refusal) {
                (Ok(fill), None) => {
                    prop_assert_eq!((fill.amount, fill.cost), (amount, price_of));
                    // The fee posted with the order, or a lower one set since (never a higher one).
                    let posted_fee = model.open[&id].3;
                    prop_assert_eq!(fill.fee, price_of * u128::from(posted_fee.min(data.fee_bps())) / 10_000);
                    *model.tokens.get_mut(&seller).unwrap() -= amount;
                    *model.tokens.get_mut(&buyer).unwrap() += amount;
                    *model.coins.get_mut(&buyer).unwrap() -= fill.cost;
                    *model.coins.get_mut(&seller).unwrap() += fill.cost - fill.fee;
                    *model.coins.entry(FEES).or_default() += fill.fee;
                    model.filled += amount;
                    model.paid += fill.cost;
                    model.open.get_mut(&id).unwrap().2 += fill.cost;
                    prop_assert_eq!(fill.done, left == 0);
                    if fill.done {
                        let (_, original, paid, _) = model.open.remove(&id).unwrap();
                        prop_assert_eq!(paid, cost(original, order.price).unwrap(), "an order's fills add up to its cost");
                    }
                }
                (outcome, expected) => prop_assert_eq!(outcome.err(), expected),
            }
        }
        Op::Cancel(w, p) => {
            let Some(id) = pick(model, p) else { return Ok(()) };
            let maker = data.order(id).unwrap().maker;
            match data.cancel(account_of(w), id) {
                Ok(_) => {
                    prop_assert_eq!(maker, account_of(w));
                    model.open.remove(&id);
                }
                Err(e) => prop_assert_eq!((e, maker != account_of(w)), (Error::NotMaker, true)),
            }
        }
        Op::Clear(p) => {
            let Some(id) = pick(model, p) else { return Ok(()) };
            let order = data.order(id).unwrap();
            let short = model.available(model.who(order.maker), order.side) < order.need().unwrap();
            let available = model.available(model.who(order.maker), order.side);
            match data.clear(id, now, |_| Ok(available)) {
                Ok(_) => {
                    prop_assert!(now >= order.expiry || short);
                    model.open.remove(&id);
                }
                Err(e) => prop_assert_eq!((e, now >= order.expiry || short), (Error::NotClearable, false)),
            }
        }
        // A maker moves assets away (to the fee account, say): its orders may become unfunded.
        Op::Spend(w, tenths) => {
            let coins = model.coins[&w] * u128::from(tenths) / 10;
            *model.coins.get_mut(&w).unwrap() -= coins;
            *model.coins.entry(FEES).or_default() += coins;
        }
        Op::Time(hours) => model.now += u64::from(hours) * HOUR,
        Op::Fee(bps) => {
            let _ = data.set_fee(bps);
            prop_assert!(data.fee_bps() <= MAX_FEE_BPS);
        }
        Op::Pause(p) => data.set_paused(p),
    }
    Ok(())
}

fn check(data: &MarketData, model: &Model) -> Result<(), TestCaseError> {
    // Both assets are conserved.
    prop_assert_eq!(model.tokens.values().sum::<u128>(), 5 * 40 * GPU_HOUR);
    prop_assert_eq!(model.coins.values().sum::<u128>(), 5 * 200 * USDC);
    // Each book: best first, equal prices in posting order, links both ways, every open order
    // of the side exactly once.
    let mut seen = 0;
    for side in [Side::Sell, Side::Buy] {
        let page = data.page(side, None, None, u32::MAX);
        let mut prev: Option<(OrderId, Order)> = None;
        for (id, order) in &page {
            prop_assert_eq!(order.side, side);
            prop_assert_eq!(order.book.prev, prev.map(|(p, _)| p));
            if let Some((p, above)) = prev {
                prop_assert_eq!(above.book.next, Some(*id));
                let in_order = match side {
                    Side::Sell => above.price < order.price || (above.price == order.price && p < *id),
                    Side::Buy => above.price > order.price || (above.price == order.price && p < *id),
                };
                prop_assert!(in_order, "{:?} book out of order at {} after {}", side, id, p);
            }
            prev = Some((*id, *order));
        }
        seen += page.len();
    }
    prop_assert_eq!(seen, model.open.len(), "the books hold every open order once");
    // Each maker: its orders newest first; what it committed is what they need.
    for w in 0..5u8 {
        let mine = data.page(Side::Sell, Some(account_of(w)), None, MAX_PAGE);
        let expected: Vec<OrderId> = model.open.iter().rev().filter(|(_, (m, _, _, _))| *m == w).map(|(id, _)| *id).take(MAX_PAGE as usize).collect();
        prop_assert_eq!(mine.iter().map(|(id, _)| *id).collect::<Vec<_>>(), expected);
        for side in [Side::Sell, Side::Buy] {
            let need: u128 = model
                .open
                .keys()
                .filter_map(|id| data.order(*id))
                .filter(|o| o.maker == account_of(w) && o.side == side)
                .map(|o| o.need().unwrap())
                .sum();
            prop_assert_eq!(data.open(account_of(w), side), need, "maker {} {:?}", w, side);
        }
    }
    // The volume counts every fill.
    let epochs = model.now / HOUR + 1;
    let (units, notional) = (0..=epochs).map(|e| data.volume(e)).fold((0, 0), |(u, n), v| (u + v.units, n + v.notional));
    prop_assert_eq!((units, notional), (model.filled, model.paid));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn books_stay_ordered_and_fills_conserve_both_assets(ops in proptest::collection::vec(op(), 1..50)) {
        let mut outcome = Ok(());
        ink::env::test::run_test::<ink::env::DefaultEnvironment, _>(|_| {
            let mut data = MarketData::new(schedule(), 100).unwrap();
            let mut model = Model::new();
            outcome = ops.iter().try_for_each(|op| {
                run(&mut data, &mut model, op)?;
                check(&data, &model)
            });
            Ok(())
        }).unwrap();
        outcome?;
    }
}
