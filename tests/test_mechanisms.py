"""Each mechanism against a known or analytic outcome."""

import numpy as np
import pytest
from types import SimpleNamespace

from sim import border, group_finance, household_budgets, prices, recruitment, trade
from sim.config import load_config
from sim.group_finance import AttritionParams, FinanceParams
from sim.prices import PricesParams
from sim.trade import TradeParams
from sim.population import DEAD, DETAINED, INACTIVE, MILITANT, UNEMPLOYED
from sim.roster import Roster
from tests.runs import region, run_model
from tests.test_labour_market import synthetic_people


# ---------------------------------------------------------------- food prices

def test_food_price_with_zero_imports_follows_substitution_and_settles_by_depth():
    """Imports cut to zero: up-country supply approaches its capacity with the time constant, and the
    price settles at (1 - α) + α · (1 + premium) · capacity^-ε; with imports at 1 it stays at 1."""
    pars = PricesParams()
    alpha = np.array([0.5, 0.4])
    np.testing.assert_allclose(prices.food_price_target(np.ones(2), np.zeros(2), alpha, pars), 1.0)
    upcountry, price = np.zeros(2), np.ones(2)
    for t in range(1, 2001):
        upcountry = prices.update_upcountry_supply(upcountry, np.zeros(2), pars)
        price = prices.update_food_price(price, np.zeros(2), upcountry, alpha, pars)
        if t == 30:
            np.testing.assert_allclose(upcountry, pars.substitution_capacity * (1 - (1 - 1 / pars.substitution_days) ** 30))
            early = price.copy()
    cap = pars.substitution_capacity
    settled = (1 - alpha) + alpha * (1 + pars.transport_premium) * cap ** -pars.import_price_elasticity
    np.testing.assert_allclose(price, settled, rtol=1e-9)
    assert np.all(early > settled)  # before up-country supply arrives, scarcity raises prices more
    # depth matters: with half the imports still coming, the long-run price is lower
    half = (1 - alpha) + alpha * (0.5 + 0.5 * (1 + pars.transport_premium))
    np.testing.assert_allclose(prices.food_price_target(np.full(2, 0.5), np.full(2, 0.5), alpha, pars), half)


def test_fuel_price_rises_with_scarcity_up_to_the_official_price():
    pars = PricesParams()
    np.testing.assert_allclose(prices.fuel_price_target(np.ones(1), pars), 1.0)
    np.testing.assert_allclose(prices.fuel_price_target(np.full(1, 0.8), pars), 0.8 ** -pars.fuel_price_elasticity)
    np.testing.assert_allclose(prices.fuel_price_target(np.zeros(1), pars), 1 + pars.fuel_substitution_premium)


def test_model_prices_with_border_sealed():
    """All crossings and routes at zero throughput, no markets: food prices approach their settled level,
    and the Iranian fuel price reaches the official price, in every district that imports."""
    m = run_model("closure_1y", scale=0.003, days=360, seed=1, border__closure__informal_throughput=0.0,
                  border__markets=[])
    pars = m.par.prices
    alpha = m.region.districts.food_import_share.to_numpy()
    transport = 1 + pars.fuel_share_of_food_price * pars.fuel_substitution_premium  # fuel at the official price
    settled = ((1 - alpha) + alpha * (1 + pars.transport_premium) * pars.substitution_capacity ** -pars.import_price_elasticity) * transport
    np.testing.assert_allclose(m.districts.food_price_index, settled, rtol=0.01)
    assert np.all(m.districts.import_index == 0)
    np.testing.assert_allclose(m.districts.fuel_price_index, 1 + pars.fuel_substitution_premium, rtol=1e-9)


# ---------------------------------------------------------------- border schedule

def test_closure_profile_and_phased_reopening():
    cfg = load_config("closure_90d", {"days": 200, "border.closure.reopening_days": 9})
    c = border.closure_profile(cfg.border.closure, 200)
    assert c[29] == 0 and c[30] == 1 and c[119] == 1
    np.testing.assert_allclose(c[120:129], 1 - np.arange(1, 10) / 10)
    assert c[129] == 0
    sched = border.throughput_schedule(cfg.border, cfg.policy.border_markets,
                                       __import__("sim.region", fromlist=["load_region"]).load_region().crossings, 200)
    names = ["taftan_mirjaveh", "mand_pishin"]
    assert sched["throughput"][50, 0] == 0.0  # Taftan closed
    assert sched["throughput"][50, 1] == pytest.approx(cfg.border.market_throughput)  # Mand-Pishin market
    assert list(np.array(border.STATUS_NAMES)[sched["status"][50, :2]]) == ["closed", "restricted"]
    assert sched["activity"][10].min() == 1.0 and names  # open border: every trader at full activity


# ---------------------------------------------------------------- traders

def one_crossing_traders(n=4, capital=1000.0):
    tc = TradeParams()
    return trade.Traders(
        crossing=np.zeros(n, int), district=np.zeros(n, int), kind=np.zeros(n, np.int8), value0=np.full(n, 1e5),
        litres0=np.zeros(n), revenue0=np.full(n, 500.0), fixed_cost=np.full(n, 100.0), variable_cost0=np.zeros(n),
        route=np.zeros(n, int), uptake=np.ones(3), owner_draw=np.zeros(n), capital=np.full(n, capital),
        capital0=np.full(n, capital), active=np.ones(n, bool), employees=np.zeros(n, np.int64),
        base_employees=np.zeros(n, np.int64), activity=np.ones(n), revenue=np.zeros(n), profit=np.zeros(n),
        withdrawn=np.zeros(n), owner=np.zeros(n, np.int64)), tc


def test_trader_exits_when_capital_reaches_zero_and_lays_everyone_off():
    tr, tc = one_crossing_traders(capital=1000.0)
    never = np.ones(len(tr))  # re-entry uniforms that never fire
    for day in range(9):  # closed: profit = -fixed cost (100/day): capital 1000 -> 100 after 9 days
        assert len(trade.trade_day(tr, np.zeros(1), np.ones(1), tc, 600.0, never)) == 0
    np.testing.assert_allclose(tr.capital, 100.0)
    exited = trade.trade_day(tr, np.zeros(1), np.ones(1), tc, 600.0, never)
    assert len(exited) == len(tr) and not tr.active.any() and np.all(tr.capital == 0)
    assert np.all(trade.workforce_target(tr) == 0)
    np.testing.assert_array_equal(trade.layoff_hazard(tr, tc, trade.workforce_target(tr)), 1.0)  # shed everyone


def test_layoff_hazard_applies_only_to_the_workforce_the_volume_no_longer_supports():
    tr, tc = one_crossing_traders(capital=1e9)
    tr.base_employees[:] = tr.employees[:] = 40
    trade.trade_day(tr, np.ones(1), np.ones(1), tc, 600.0, np.ones(len(tr)))
    np.testing.assert_array_equal(trade.layoff_hazard(tr, tc, trade.workforce_target(tr)), 0.0)
    trade.trade_day(tr, np.full(1, 0.25), np.ones(1), tc, 600.0, np.ones(len(tr)))
    np.testing.assert_array_equal(trade.workforce_target(tr), 10)  # a quarter of the volume supports 10 of 40
    np.testing.assert_allclose(trade.layoff_hazard(tr, tc, trade.workforce_target(tr)), tc.layoff_rate * 30 / 40)


def test_trader_reentry_is_slow_and_needs_an_open_border():
    tr, tc = one_crossing_traders(n=20000, capital=0.0)
    tr.capital0[:] = 1e4
    tr.active[:] = False
    rng = np.random.default_rng(0)
    trade.trade_day(tr, np.zeros(1), np.ones(1), tc, 600.0, rng.random(len(tr)))
    assert not tr.active.any()  # closed crossing: nobody re-enters
    trade.trade_day(tr, np.ones(1), np.ones(1), tc, 600.0, rng.random(len(tr)))
    assert tr.active.mean() == pytest.approx(tc.reentry_rate, rel=0.25)
    np.testing.assert_allclose(tr.capital[tr.active], tc.reentry_capital * tr.capital0[tr.active] + tr.profit[tr.active])


def test_owner_withdraws_profit_beyond_a_full_reserve_and_losses_rebuild_it_first():
    tr, tc = one_crossing_traders(capital=1000.0)  # revenue 500 and fixed cost 100 a day at full activity
    never = np.ones(len(tr))
    trade.trade_day(tr, np.ones(1), np.ones(1), tc, 600.0, never)
    np.testing.assert_allclose(tr.withdrawn, 400.0)  # reserve full: the whole profit goes to the owner
    np.testing.assert_allclose(tr.capital, 1000.0)
    for _ in range(3):  # closed: -100 a day, nothing withdrawn
        trade.trade_day(tr, np.zeros(1), np.ones(1), tc, 600.0, never)
    np.testing.assert_allclose(tr.withdrawn, 0.0)
    np.testing.assert_allclose(tr.capital, 700.0)
    trade.trade_day(tr, np.ones(1), np.ones(1), tc, 600.0, never)  # reopened: +400 rebuilds 300, 100 withdrawn
    np.testing.assert_allclose(tr.capital, 1000.0)
    np.testing.assert_allclose(tr.withdrawn, 100.0)


def test_owner_households_receive_the_local_share_of_withdrawn_profit():
    from sim import BorderModel

    m = BorderModel("baseline", population_scale=0.01, days=3, rng=4).run()
    tr, hh = m.traders, m.households
    assert np.all(m.household_slices.spread(np.arange(len(m.districts)))[tr.owner] == tr.district)  # home district
    owner_income = m.trade.owner_income(len(hh))
    assert owner_income.sum() == pytest.approx(tr.owner_draw.sum() * m.par.trade.local_owner_share)
    assert tr.owner_draw.sum() == pytest.approx(tr.withdrawn.sum(), rel=0.02)  # an open border: profit steady
    assert owner_income.sum() > 0 and np.all(tr.capital <= tr.capital0 + 1e-6)
    owners = np.unique(tr.owner)
    assert np.all(hh.income[owners] >= owner_income[owners])


# ---------------------------------------------------------------- militant groups

def make_groups(n_groups=1, n_districts=1):
    pars = [SimpleNamespace(name=f"g{i}", districts=["d0"], pay_pkr=800.0, capacity=10, smuggling_tax=0.01,
                            trade_tax=0.0, extortion_rate=0.0, external_support_pkr=0.0, funding_horizon_days=90.0)
            for i in range(n_groups)]
    return group_finance.build_groups(pars, ["d0"], 1.0)


def test_member_attrition_half_life():
    """No recruitment: members decay as (1-h)^t, so half are gone after ln 2 / -ln(1-h) days."""
    n = 100_000
    p = synthetic_people(n)
    p.status[:] = MILITANT
    p.group[:] = 0
    gr = make_groups()
    ac = AttritionParams(detention_days=10_000, size_elasticity=0.0)
    ct = np.array([0.5])
    h = (ac.kill_rate + ac.arrest_rate) * ct[0] + ac.exit_rate
    half_life = np.log(2) / -np.log(1 - h)
    mil = np.flatnonzero(p.status == MILITANT)
    roster = Roster(p, n, 1)
    rng = np.random.default_rng(2)
    for day in range(1, int(round(half_life)) + 1):
        group_finance.attrition_day(p, gr, mil, day, lambda idx: rng.random(len(idx)), ct, ac, roster)
        mil = mil[p.status[mil] == MILITANT]
    assert len(mil) / n == pytest.approx(0.5, abs=0.01)
    # the three exits in proportion to their hazards
    out = n - len(mil)
    assert gr.killed[0] / out == pytest.approx(ac.kill_rate * ct[0] / h, abs=0.02)
    assert gr.arrested[0] / out == pytest.approx(ac.arrest_rate * ct[0] / h, abs=0.02)
    assert (p.status == DEAD).sum() == gr.killed[0] and (p.status == DETAINED).sum() == gr.arrested[0]
    assert ((p.status == UNEMPLOYED) | (p.status == INACTIVE)).sum() == gr.exited[0]
    assert (p.group[p.status != MILITANT] == -1).all()


def test_detainees_return_home_after_their_term():
    p = synthetic_people(10)
    p.status[:] = DETAINED
    p.since[:] = np.arange(10)
    gr = make_groups()
    ac = AttritionParams(detention_days=100)
    group_finance.attrition_day(p, gr, np.empty(0, int), 104, lambda idx: np.ones(len(idx)), np.zeros(1), ac,
                                Roster(p, 10, 1))
    assert (p.status[:5] == UNEMPLOYED).all() and (p.status[5:] == DETAINED).all()


def test_group_budget_balances_at_day0_and_limits_recruitment_when_funds_fall():
    gr = make_groups()
    gr.members[:] = 100
    revenue0 = 200_000.0  # more than payroll (80,000): the surplus goes to operations, with no saving here
    pars = FinanceParams(allocation_rule="payroll_first", saving_rate=0.0)
    gr.revenue[:] = revenue0
    group_finance.close_budget(gr, pars)
    gr.funds[:] = 180 * 80_000.0
    before = gr.funds.copy()
    for _ in range(50):
        gr.revenue[:] = revenue0
        group_finance.finance_day(gr, pars, True)
    np.testing.assert_allclose(gr.funds, before)
    assert gr.pay_offer[0] == gr.pay[0] and group_finance.affordable(gr, gr.capacity, True)[0] == gr.capacity[0]
    gr.revenue[:] = 0.0
    for _ in range(150):  # revenue gone: payroll drains funds, then pay offers and room to recruit fall
        group_finance.finance_day(gr, pars, True)
    assert gr.funds[0] < before[0] and gr.pay_offer[0] < gr.pay[0]
    assert group_finance.affordable(gr, gr.capacity, True)[0] == 0
    assert group_finance.affordable(gr, gr.capacity, False)[0] == gr.capacity[0]  # finance off: funds never bind
    for _ in range(100):
        group_finance.finance_day(gr, pars, True)
    assert gr.funds[0] == 0.0 and gr.unpaid[0]  # never negative


def test_recruitment_intercept_matches_target_joins():
    rng = np.random.default_rng(0)
    terms = recruitment.JoinInputs(base=rng.normal(0, 1, 10_000), reach=rng.uniform(0, 0.01, 10_000))
    intercept = recruitment.calibrate_intercept(terms, 2.5)
    assert (terms.reach * recruitment.sigmoid(intercept + terms.base)).sum() == pytest.approx(2.5, rel=1e-6)


def test_baseline_membership_is_stationary():
    m = run_model("baseline", scale=0.1, days=365, seed=5)
    reg = region(m, start=0)
    m0, m1 = reg.militants.iloc[0], reg.militants.iloc[-1]
    assert abs(m1 - m0) / m0 < 0.15
    # funds grow by the saving rate at least; by more when fewer members leave more of the day's income unspent
    saved = m.par.finance.saving_rate * m.group_frame().query("day > 0").revenue.sum()  # PKR million
    assert 0.99 * saved <= reg.group_funds.iloc[-1] - reg.group_funds.iloc[0] <= 1.3 * saved


def test_baseline_migrant_stock_is_close_to_stationary():
    """The warm-up lets who is abroad settle before day 0: over two years of open border the stock's
    second-year mean stays within 12% of day 0 (without a warm-up of migration and the labour market
    it fell by about a sixth: ODD 7.6)."""
    drift = []
    for seed in (1, 2):
        reg = region(run_model("baseline", scale=0.05, days=730, seed=seed), start=0)
        drift.append(reg.migrants.iloc[366:].mean() / reg.migrants.iloc[0] - 1)
    assert abs(np.mean(drift)) < 0.12, drift


def test_warm_up_keeps_the_initial_migrant_stock():
    """In the warm-up returns balance departures and close the gap to the initial stock, so day 0
    starts with about the stock set up from migration.initial_share."""
    short = run_model("baseline", scale=0.05, days=1, seed=3, households__warmup_days=0)
    warm = run_model("baseline", scale=0.05, days=1, seed=3)
    m0, m1 = region(short, start=0).migrants.iloc[0], region(warm, start=0).migrants.iloc[0]
    assert abs(m1 - m0) / m0 < 0.1


# ---------------------------------------------------------------- households

def test_consumption_protects_food_and_savings_never_negative():
    hh = SimpleNamespace(size=np.array([5, 5, 5]), savings=np.array([0.0, 1000.0, 50_000.0]), income=np.zeros(3),
                         spending=np.zeros(3), food_spending=np.zeros(3), hardship=np.zeros(3, np.float32),
                         food_ratio=np.zeros(3, np.float32))
    hcfg = SimpleNamespace(food_need_pkr=100.0, nonfood_need_pkr=50.0, surplus_consumption=0.5,
                           hardship_buffer_days=100.0)
    income = np.array([300.0, 300.0, 1000.0])  # need = 750/day
    household_budgets.consume(hh, income, np.ones(3), hh.size, hcfg)
    # poor, no savings: all 300 goes to food (need 500) -> 60% of food need
    assert hh.food_ratio[0] == pytest.approx(0.6) and hh.savings[0] == 0.0
    # poor with savings: draws 450 to cover need exactly
    assert hh.savings[1] == pytest.approx(550.0) and hh.food_ratio[1] == pytest.approx(1.0)
    # rich: saves half the surplus of 250
    assert hh.savings[2] == pytest.approx(50_125.0)
    np.testing.assert_allclose(hh.hardship, np.clip(1 - (income + hh.savings / 100) / 750, 0, 1), rtol=1e-6)
    assert hh.hardship[2] == 0.0 and 0 < hh.hardship[0] <= 1
    # spending: all income (poor, no savings), need met from savings, need + half the surplus (rich)
    np.testing.assert_allclose(hh.spending, [300.0, 750.0, 875.0])
    np.testing.assert_allclose(hh.food_spending, [300.0, 500.0, 500.0])  # food first, up to the food need


def test_household_income_is_the_sum_of_its_sources():
    """Wages + casual earnings of members without a regular job + own production + the local share of the
    owned traders' withdrawn profit + remittances + the cash transfer (ODD §7.6.2)."""
    from sim import BorderModel
    from sim.model import DAY
    from sim.population import UNEMPLOYED

    m = BorderModel("closure_90d", population_scale=0.01, days=60, rng=2, policy__cash_transfer__amount=5000.0)
    hh, p = m.households, m.people

    def sources(day):
        """Run ``day`` up to the household budgets; return its income by source."""
        for phase in m.phases[:DAY.index("household_budgets") + 1]:
            phase(day)
        casual = np.bincount(p.hh[p.status == UNEMPLOYED], minlength=len(hh)) * m.labour_market.casual_earnings()[hh.district]
        transfer = np.zeros(len(hh)) if m.policies.transfer is None else m.policies.transfer
        parts = dict(wages=m.labour_market.jobs.household_wages, casual=casual,
                     own=np.full(len(hh), m.par.households.own_production_pkr), owners=m.trade.owner_income(len(hh)),
                     remittances=m.migration.remittances(day), transfer=transfer)
        np.testing.assert_allclose(hh.income, sum(parts.values()), rtol=1e-12)
        return {k: v.sum() for k, v in parts.items()}

    before = sources(1)  # open border
    assert before["casual"] > 0 and before["owners"] > 0
    for day in range(2, 41):
        m.step()
    during = sources(41)  # closed since day 30, cash transfer paid
    assert during["transfer"] > 0 and during["owners"] < before["owners"] and during["casual"] > 0
    assert m.labour_market.local_demand.max() < 1.0  # in the closure, casual work pays less than at day 0


def test_district_without_an_importing_crossing_keeps_baseline_prices(tmp_path):
    """A district linked to no crossing that carries goods has no imports to lose: its food price stays at 1."""
    import pandas as pd
    from sim.region import DATA_DIR

    df = pd.read_csv(DATA_DIR / "region_pakistan.csv", comment="#")
    extra = df.iloc[[0]].assign(district="kharan", population=50_000)
    path = tmp_path / "region.csv"
    pd.concat([df, extra]).to_csv(path, index=False)
    m = run_model("closure_30d", scale=0.01, days=50, seed=1, population__region_file=str(path))
    k = m.district_names.index("kharan")
    assert m.districts.import_index[k] == 1.0 and m.districts.food_price_index[k] == 1.0
    assert m.districts.food_price_index[0] > 1.05  # Chagai, linked to Taftan, still feels the closure


def test_model_runs_without_militant_groups_and_keeps_one_member_per_group_at_tiny_scale():
    m = run_model("closure_30d", scale=0.003, days=40, seed=1, recruitment__groups=[])
    assert region(m).recruits.sum() == 0 and region(m).militants.max() == 0
    tiny = run_model("baseline", scale=0.0005, days=5, seed=1)
    assert (tiny.groups.members >= 1).all()


def test_household_with_nobody_at_home_needs_nothing():
    hh = SimpleNamespace(size=np.array([0, 4]), savings=np.array([10.0, 0.0]), income=np.zeros(2), spending=np.zeros(2), food_spending=np.zeros(2),
                         hardship=np.zeros(2, np.float32), food_ratio=np.zeros(2, np.float32))
    hcfg = SimpleNamespace(food_need_pkr=100.0, nonfood_need_pkr=50.0, surplus_consumption=0.5,
                           hardship_buffer_days=100.0)
    household_budgets.consume(hh, np.array([0.0, 300.0]), np.ones(2), hh.size, hcfg)
    assert hh.food_ratio[0] == 1.0 and hh.hardship[0] == 0.0 and hh.savings[0] == 10.0
    assert hh.food_ratio[1] == pytest.approx(0.75) and hh.hardship[1] == pytest.approx(0.5)
    assert np.isfinite(hh.food_ratio).all() and np.isfinite(hh.hardship).all()
