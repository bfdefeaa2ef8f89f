"""Mesa agents are made when something first asks for them, and then there is one per household, trader and group."""

from sim import BorderModel
from sim.agents import Household, MilitantGroup, Trader


def test_agents_are_made_on_first_use_and_all_of_them():
    m = BorderModel("baseline", population_scale=0.01, days=3, rng=1).run()
    assert m._agents_pending  # a run alone never made them
    by_type = m.agents_by_type
    assert [len(by_type[c]) for c in (Household, Trader, MilitantGroup)] == [len(m.households), len(m.traders),
                                                                            len(m.groups)]
    assert len(m.agents) == len(m.households) + len(m.traders) + len(m.groups)
    first = next(iter(by_type[Household]))
    assert first.savings == m.households.savings[first.idx]
    assert m.agents_by_type is by_type and not m._agents_pending  # made once
