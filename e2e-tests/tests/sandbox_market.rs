//! The GPU-hour market with the real token and stablecoin (drink): verified investors trade
//! delivery versus payment; a fill to an unverified or frozen buyer, a maker who withdrew its
//! allowance and a taker who cannot pay are each refused with both legs unchanged; the volume
//! per epoch is readable; every privileged message refuses everyone but the owner.
use drink::AccountId32;
use e2e_tests::sandbox::{account, call, call_err, call_ok, deploy, deposit, emitted, operator, Suite, HOUR};
use e2e_tests::TestResult;
use gpu_market::gpu_market::{Error, MarketState, OrderPosted};
use gpu_market::market::{Order, Volume};

const USDC: u128 = 1_000_000;
const GPU_HOUR: u128 = 1_000_000;

fn market_ok<T: ink::scale::Decode>(suite: &mut Suite, market: &AccountId32, message: &str, args: &[String]) -> TestResult<T> {
    call_ok::<T, Error>(&mut suite.session, market, message, args)
}

fn market_err<T: ink::scale::Decode + std::fmt::Debug>(suite: &mut Suite, market: &AccountId32, message: &str, args: &[String]) -> TestResult<Error> {
    call_err::<T, Error>(&mut suite.session, market, message, args)
}

/// Prints the last call's weight and storage deposit for docs/benchmarks.md (`scripts/bench.sh`).
fn bench(suite: &Suite, message: &str) {
    let (ref_time, proof_size) = suite.last_weight();
    println!("BENCH|gpu_market|{message}|{ref_time}|{proof_size}|{}", deposit(&suite.session));
}

/// The suite with a market on its token and stablecoin (feed 0's hourly epochs), a 1% fee to
/// the pool's operator, owned by the issuer.
fn with_market() -> TestResult<(Suite, AccountId32)> {
    let mut suite = Suite::deploy()?;
    let args = [suite.token.to_string(), suite.coin.to_string(), suite.oracle.to_string(), "0".into(), "100".into(), operator().to_string()];
    let market = deploy(&mut suite.session, "gpu_market", "new", &args)?;
    Ok((suite, market))
}

/// A market with verified Bob holding 50 GPU-hours (all approved to the market) and verified Vic
/// 1,000 USDC, in epoch 2; returns the suite, the market, Bob, Vic and the fee recipient.
fn seller_and_buyer() -> TestResult<(Suite, AccountId32, AccountId32, AccountId32, AccountId32)> {
    let (mut suite, market) = with_market()?;
    let (bob, vic) = (account(2), account(6));
    suite.register(&[bob.clone(), vic.clone()])?;
    suite.admin_ok::<()>("mint", &[bob.to_string(), (50 * GPU_HOUR).to_string()])?;
    suite.coin_ok("mint", &[vic.to_string(), (1_000 * USDC).to_string()])?;
    suite.set_time(2 * HOUR + 5);
    suite.as_actor(&bob, |s| s.token_ok::<()>("PSP22::approve", &[market.to_string(), (50 * GPU_HOUR).to_string()]))?;
    Ok((suite, market, bob, vic, operator()))
}

/// Every balance the trades move: (token, stablecoin) of each account.
fn balances(suite: &mut Suite, who: &[&AccountId32]) -> TestResult<Vec<(u128, u128)>> {
    let (token, coin) = (suite.token.clone(), suite.coin.clone());
    who.iter().map(|w| Ok((suite.balance(&token, w)?, suite.balance(&coin, w)?))).collect()
}

#[test]
fn verified_investors_trade_delivery_versus_payment_and_every_failed_leg_moves_nothing() -> TestResult {
    let (mut suite, market) = with_market()?;
    let (bob, vic, ursula, op) = (account(2), account(6), account(7), operator());
    suite.register(&[bob.clone(), vic.clone()])?;
    suite.fund(&ursula)?;
    suite.admin_ok::<()>("mint", &[bob.to_string(), (100 * GPU_HOUR).to_string()])?;
    for who in [&vic, &ursula] {
        suite.coin_ok("mint", &[who.to_string(), (1_000 * USDC).to_string()])?;
    }
    let (token, coin) = (suite.token.clone(), suite.coin.clone());
    suite.set_time(2 * HOUR + 5);

    // Bob offers 50 GPU-hours at 2.5 USDC each until hour 10; the market holds nothing.
    suite.as_actor(&bob, |s| s.token_ok::<()>("PSP22::approve", &[market.to_string(), (50 * GPU_HOUR).to_string()]))?;
    let too_much = suite.as_actor(&bob, |s| market_err::<u64>(s, &market, "post", &["Sell".into(), "2500000".into(), (51 * GPU_HOUR).to_string(), (10 * HOUR).to_string(), "None".into(), "100".into()]))?;
    assert_eq!(too_much, Error::Unfunded, "more than the allowance");
    let id = suite.as_actor(&bob, |s| market_ok::<u64>(s, &market, "post", &["Sell".into(), "2500000".into(), (50 * GPU_HOUR).to_string(), (10 * HOUR).to_string(), "None".into(), "100".into()]))?;
    bench(&suite, "post (sell)");
    assert_eq!(id, 1);
    assert_eq!(balances(&mut suite, &[&market])?, vec![(0, 0)]);

    // Vic buys 20 of them: 50 USDC, of which 1% (0.5) to the operator, both legs in one call.
    suite.as_actor(&vic, |s| s.coin_ok("PSP22::approve", &[market.to_string(), (500 * USDC).to_string()]))?;
    let before = balances(&mut suite, &[&bob, &vic, &op])?;
    let paid = suite.as_actor(&vic, |s| market_ok::<u128>(s, &market, "fill", &[id.to_string(), (20 * GPU_HOUR).to_string(), "100".into()]))?;
    bench(&suite, "fill (partial)");
    assert_eq!(paid, 50 * USDC);
    let after = balances(&mut suite, &[&bob, &vic, &op])?;
    assert_eq!(after[0], (before[0].0 - 20 * GPU_HOUR, before[0].1 + 49_500_000));
    assert_eq!(after[1], (before[1].0 + 20 * GPU_HOUR, before[1].1 - 50 * USDC));
    assert_eq!(after[2], (before[2].0, before[2].1 + 500_000));
    let order: Option<Order> = call(&mut suite.session, &market, "order", &[id.to_string()])?;
    assert_eq!(order.map(|o| o.amount), Some(30 * GPU_HOUR));
    let volume: Volume = call(&mut suite.session, &market, "volume", &["2".into()])?;
    assert_eq!(volume, Volume { units: 20 * GPU_HOUR, notional: 50 * USDC, fills: 1 }, "2.5 USDC per GPU-hour in epoch 2");

    // Ursula is not verified: the token refuses her the tokens, and her payment is not taken.
    suite.as_actor(&ursula, |s| s.coin_ok("PSP22::approve", &[market.to_string(), (500 * USDC).to_string()]))?;
    let before = balances(&mut suite, &[&bob, &ursula, &op])?;
    let refused = suite.as_actor(&ursula, |s| market_err::<u128>(s, &market, "fill", &[id.to_string(), GPU_HOUR.to_string(), "100".into()]))?;
    assert_eq!(refused, Error::TokenRefused);
    assert_eq!(balances(&mut suite, &[&bob, &ursula, &op])?, before, "neither leg moved");

    // Vic is frozen by the token's agent: the same.
    suite.admin_ok::<()>("set_frozen", &[vic.to_string(), "true".into()])?;
    let before = balances(&mut suite, &[&bob, &vic, &op])?;
    let refused = suite.as_actor(&vic, |s| market_err::<u128>(s, &market, "fill", &[id.to_string(), GPU_HOUR.to_string(), "100".into()]))?;
    assert_eq!(refused, Error::TokenRefused);
    assert_eq!(balances(&mut suite, &[&bob, &vic, &op])?, before);
    suite.admin_ok::<()>("set_frozen", &[vic.to_string(), "false".into()])?;

    // A taker without allowance for the payment: refused, nothing moved.
    suite.as_actor(&vic, |s| s.coin_ok("PSP22::approve", &[market.to_string(), "0".into()]))?;
    let refused = suite.as_actor(&vic, |s| market_err::<u128>(s, &market, "fill", &[id.to_string(), GPU_HOUR.to_string(), "100".into()]))?;
    assert_eq!(refused, Error::TakerUnfunded);
    assert_eq!(balances(&mut suite, &[&bob, &vic, &op])?, before);
    suite.as_actor(&vic, |s| s.coin_ok("PSP22::approve", &[market.to_string(), (500 * USDC).to_string()]))?;

    // Bob withdraws his allowance: the order can no longer be filled, and anyone clears it.
    assert_eq!(market_err::<()>(&mut suite, &market, "clear", &[id.to_string()])?, Error::NotClearable);
    suite.as_actor(&bob, |s| s.token_ok::<()>("PSP22::approve", &[market.to_string(), "0".into()]))?;
    let refused = suite.as_actor(&vic, |s| market_err::<u128>(s, &market, "fill", &[id.to_string(), GPU_HOUR.to_string(), "100".into()]))?;
    assert_eq!(refused, Error::MakerUnfunded);
    assert_eq!(balances(&mut suite, &[&bob, &vic, &op])?, before);
    suite.as_actor(&ursula, |s| market_ok::<()>(s, &market, "clear", &[id.to_string()]))?;
    bench(&suite, "clear (unfunded)");
    let open: u128 = call(&mut suite.session, &market, "open", &[bob.to_string(), "Sell".into()])?;
    assert_eq!(open, 0);

    // Vic bids 1.8 USDC for 10 GPU-hours; Bob sells into it: he pays the 0.18 USDC fee.
    let bid = suite.as_actor(&vic, |s| market_ok::<u64>(s, &market, "post", &["Buy".into(), "1800000".into(), (10 * GPU_HOUR).to_string(), (10 * HOUR).to_string(), "None".into(), "100".into()]))?;
    bench(&suite, "post (buy)");
    let before = balances(&mut suite, &[&bob, &vic, &op])?;
    suite.as_actor(&bob, |s| s.token_ok::<()>("PSP22::approve", &[market.to_string(), (10 * GPU_HOUR).to_string()]))?;
    let paid = suite.as_actor(&bob, |s| market_ok::<u128>(s, &market, "fill", &[bid.to_string(), (10 * GPU_HOUR).to_string(), "100".into()]))?;
    bench(&suite, "fill (whole buy order)");
    assert_eq!(paid, 18 * USDC);
    let after = balances(&mut suite, &[&bob, &vic, &op])?;
    assert_eq!(after[0], (before[0].0 - 10 * GPU_HOUR, before[0].1 + 17_820_000));
    assert_eq!(after[1], (before[1].0 + 10 * GPU_HOUR, before[1].1 - 18 * USDC));
    assert_eq!(after[2], (before[2].0, before[2].1 + 180_000));
    let state: MarketState = call(&mut suite.session, &market, "state", &[])?;
    bench(&suite, "state");
    assert_eq!((state.last_id, state.best_sell, state.best_buy, state.epoch), (2, None, None, 2));
    let volume: Volume = call(&mut suite.session, &market, "volume", &["2".into()])?;
    bench(&suite, "volume");
    assert_eq!(volume, Volume { units: 30 * GPU_HOUR, notional: 68 * USDC, fills: 2 });

    // An order posted and cancelled by its maker alone; the market still holds nothing.
    suite.as_actor(&bob, |s| s.token_ok::<()>("PSP22::approve", &[market.to_string(), (5 * GPU_HOUR).to_string()]))?;
    let ask = suite.as_actor(&bob, |s| market_ok::<u64>(s, &market, "post", &["Sell".into(), "3000000".into(), (5 * GPU_HOUR).to_string(), (10 * HOUR).to_string(), "None".into(), "100".into()]))?;
    assert_eq!(suite.as_actor(&vic, |s| market_err::<()>(s, &market, "cancel", &[ask.to_string()]))?, Error::NotMaker);
    let order: Option<Order> = call(&mut suite.session, &market, "order", &[ask.to_string()])?;
    bench(&suite, "order");
    assert_eq!(order.map(|o| o.amount), Some(5 * GPU_HOUR));
    let page: Vec<(u64, Order)> = call(&mut suite.session, &market, "page", &["Sell".into(), "None".into(), "None".into(), "50".into()])?;
    bench(&suite, "page (one order)");
    assert_eq!(page.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![ask]);
    let open: u128 = call(&mut suite.session, &market, "open", &[bob.to_string(), "Sell".into()])?;
    bench(&suite, "open");
    assert_eq!(open, 5 * GPU_HOUR);
    suite.as_actor(&bob, |s| market_ok::<()>(s, &market, "cancel", &[ask.to_string()]))?;
    bench(&suite, "cancel");
    assert_eq!(balances(&mut suite, &[&market])?, vec![(0, 0)]);
    assert_eq!(suite.balance(&token, &bob)?, 70 * GPU_HOUR);
    assert_eq!(suite.balance(&coin, &vic)?, 1_000 * USDC - 68 * USDC);
    Ok(())
}

/// Review 11, M1: the owner raised the fee just before a fill of a resting order (a front-run
/// it could see coming) and the seller received up to 9% less than it accepted. A resting order
/// now pays at most the fee it was posted with; the market cannot make itself the recipient.
#[test]
fn raising_the_fee_takes_nothing_more_from_a_resting_order() -> TestResult {
    let (mut suite, market, bob, vic, op) = seller_and_buyer()?;
    let id = suite.as_actor(&bob, |s| market_ok::<u64>(s, &market, "post", &["Sell".into(), "2500000".into(), (50 * GPU_HOUR).to_string(), (10 * HOUR).to_string(), "None".into(), "100".into()]))?;
    market_ok::<()>(&mut suite, &market, "set_fee", &["1000".into(), op.to_string()])?;
    suite.as_actor(&vic, |s| s.coin_ok("PSP22::approve", &[market.to_string(), (500 * USDC).to_string()]))?;
    let before = balances(&mut suite, &[&bob, &vic, &op])?;
    let paid = suite.as_actor(&vic, |s| market_ok::<u128>(s, &market, "fill", &[id.to_string(), (20 * GPU_HOUR).to_string(), "100".into()]))?;
    assert_eq!(paid, 50 * USDC);
    let after = balances(&mut suite, &[&bob, &vic, &op])?;
    assert_eq!(after[0], (before[0].0 - 20 * GPU_HOUR, before[0].1 + 49_500_000), "Bob gets what he accepted: 1% off, not 10%");
    assert_eq!(after[1], (before[1].0 + 20 * GPU_HOUR, before[1].1 - 50 * USDC));
    assert_eq!(after[2], (before[2].0, before[2].1 + 500_000));
    let refused = market_err::<()>(&mut suite, &market, "set_fee", &["100".into(), market.to_string()])?;
    assert_eq!(refused, Error::InvalidRecipient, "fees paid to the market would stay there");
    assert_eq!(balances(&mut suite, &[&market])?, vec![(0, 0)]);
    Ok(())
}

/// Review 11, second review: the owner raised the fee just before a post landed (the new order
/// recorded 10%) or raised a lowered fee back just before a fill of a buy order landed (the
/// taker, who sells into it, received 9% less than it saw). Each call now names the most fee
/// its caller accepts; a higher one refuses it and nothing moves.
#[test]
fn a_fee_raised_under_a_post_or_a_fill_refuses_it() -> TestResult {
    let (mut suite, market, bob, vic, op) = seller_and_buyer()?;
    suite.as_actor(&vic, |s| s.coin_ok("PSP22::approve", &[market.to_string(), (500 * USDC).to_string()]))?;
    // Bob read 1%; the owner's 10% lands first: his post is refused.
    market_ok::<()>(&mut suite, &market, "set_fee", &["1000".into(), op.to_string()])?;
    let sell = ["Sell".into(), "2500000".into(), (10 * GPU_HOUR).to_string(), (10 * HOUR).to_string(), "None".into(), "100".into()];
    assert_eq!(suite.as_actor(&bob, |s| market_err::<u64>(s, &market, "post", &sell))?, Error::FeeAboveLimit);
    let state: MarketState = call(&mut suite.session, &market, "state", &[])?;
    assert_eq!(state.last_id, 0, "nothing posted");
    // Vic bids at 10%; the fee is lowered to 1% and Bob, seeing 1%, sells into the bid — but the
    // owner raises it back first: refused, neither leg moves.
    let bid = ["Buy".into(), "2000000".into(), (10 * GPU_HOUR).to_string(), (10 * HOUR).to_string(), "None".into(), "1000".into()];
    let bid = suite.as_actor(&vic, |s| market_ok::<u64>(s, &market, "post", &bid))?;
    let posted: Vec<(u64, u16)> = emitted::<OrderPosted>(&suite.session, &market)?.iter().map(|e| (e.id, e.fee_bps)).collect();
    assert_eq!(posted, vec![(bid, 1_000)], "the event names the fee the order records");
    market_ok::<()>(&mut suite, &market, "set_fee", &["100".into(), op.to_string()])?;
    market_ok::<()>(&mut suite, &market, "set_fee", &["1000".into(), op.to_string()])?;
    let before = balances(&mut suite, &[&bob, &vic, &op])?;
    let fill = [bid.to_string(), (4 * GPU_HOUR).to_string(), "100".into()];
    assert_eq!(suite.as_actor(&bob, |s| market_err::<u128>(s, &market, "fill", &fill))?, Error::FeeAboveLimit);
    assert_eq!(balances(&mut suite, &[&bob, &vic, &op])?, before);
    // Accepting the 10% he now sees, Bob sells: 8 USDC, 0.8 to the operator.
    let fill = [bid.to_string(), (4 * GPU_HOUR).to_string(), "1000".into()];
    assert_eq!(suite.as_actor(&bob, |s| market_ok::<u128>(s, &market, "fill", &fill))?, 8 * USDC);
    let after = balances(&mut suite, &[&bob, &vic, &op])?;
    assert_eq!(after[0], (before[0].0 - 4 * GPU_HOUR, before[0].1 + 7_200_000));
    assert_eq!(after[2], (before[2].0, before[2].1 + 800_000));
    Ok(())
}

#[test]
fn every_privileged_market_message_refuses_everyone_but_the_owner() -> TestResult {
    let (mut suite, market) = with_market()?;
    let outsiders = [account(2), operator(), suite.escrow.clone(), suite.token.clone()];
    for outsider in &outsiders {
        suite.fund(outsider)?;
        let errors = suite.as_actor(outsider, |s| {
            Ok([
                market_err::<()>(s, &market, "set_fee", &["50".into(), outsider.to_string()])?,
                market_err::<()>(s, &market, "set_paused", &["true".into()])?,
            ])
        })?;
        assert_eq!(errors, [Error::NotOwner, Error::NotOwner], "{outsider}");
        let access = suite.as_actor(outsider, |s| {
            call_err::<(), compute_rwa_common::AccessError>(&mut s.session, &market, "Ownable2Step::transfer_ownership", &[format!("Some({outsider})")])
        })?;
        assert_eq!(access, compute_rwa_common::AccessError::NotOwner);
    }
    // The owner: the fee is bounded; pausing stops posting and fills, not cancelling.
    assert_eq!(market_err::<()>(&mut suite, &market, "set_fee", &["1001".into(), operator().to_string()])?, Error::InvalidFee);
    market_ok::<()>(&mut suite, &market, "set_fee", &["50".into(), account(9).to_string()])?;
    bench(&suite, "set_fee");
    market_ok::<()>(&mut suite, &market, "set_paused", &["true".into()])?;
    bench(&suite, "set_paused");
    // Two-step ownership, measured: to an heir and accepted.
    let heir = account(77);
    suite.fund(&heir)?;
    call_ok::<(), compute_rwa_common::AccessError>(&mut suite.session, &market, "Ownable2Step::transfer_ownership", &[format!("Some({heir})")])?;
    bench(&suite, "Ownable2Step::transfer_ownership");
    suite.as_actor(&heir, |s| call_ok::<(), compute_rwa_common::AccessError>(&mut s.session, &market, "Ownable2Step::accept_ownership", &[]))?;
    bench(&suite, "Ownable2Step::accept_ownership");
    let owner: ink::primitives::AccountId = call(&mut suite.session, &market, "Ownable2Step::owner", &[])?;
    bench(&suite, "Ownable2Step::owner");
    assert_eq!(owner, e2e_tests::sandbox::ink_id(&heir));
    suite.as_actor(&heir, |s| market_ok::<()>(s, &market, "set_paused", &["true".into()]))?;
    let refused = market_err::<u64>(&mut suite, &market, "post", &["Sell".into(), "1".into(), "1".into(), (10 * HOUR).to_string(), "None".into(), "100".into()])?;
    assert_eq!(refused, Error::Paused);
    let state: MarketState = call(&mut suite.session, &market, "state", &[])?;
    assert_eq!((state.fee_bps, state.fee_recipient, state.paused), (50, e2e_tests::sandbox::ink_id(&account(9)), true));
    // A market on a feed the oracle does not have cannot be deployed.
    let args = [suite.token.to_string(), suite.coin.to_string(), suite.oracle.to_string(), "7".into(), "100".into(), operator().to_string()];
    let refused: Error = e2e_tests::sandbox::deploy_err(&mut suite.session, "gpu_market", "new", &args)?;
    assert_eq!(refused, Error::UnknownFeed);
    Ok(())
}
