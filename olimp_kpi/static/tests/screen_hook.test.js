import {Component, xml} from "@odoo/owl";
import {Deferred, animationFrame} from "@odoo/hoot-mock";
import {describe, expect, test} from "@odoo/hoot";
import {defineMailModels} from "@mail/../tests/mail_test_helpers";
import {mountWithCleanup} from "@web/../tests/web_test_helpers";
import {useKpiScreen} from "@olimp_kpi/screens/common/screen";

/*
 * The hook useKpiScreen, the skeleton of the scorecard screen, the team board and the plan grid: loads, parameters kept
 * between loads, month navigation (a screen's own too), empty months, answers that come too late, and live figures. Run by olimp_kpi/tests/test_js.py.
 */

// The web client of the add-on's dependencies (mail among them) starts services that read these models.
defineMailModels();

const LONG_AGO = "2000-01-01 00:00:00";

/** What the server answers for a month (false: the current one, November 2026); December is empty. */
function answer(params, refreshedOn = LONG_AGO) {
    const month = params.month || "2026-11-01";
    return {
        month: {key: month, label: month.slice(0, 7)},
        current_month: "2026-11-01",
        rows: month === "2026-12-01" ? [] : [{id: 1}],
        freshness: {refreshed_on: refreshedOn, stale_after_minutes: 5},
    };
}

/** A screen made of the hook alone; `load` is the server. */
async function mountScreen(load, options = {}) {
    let screen = null;
    class Probe extends Component {
        static template = xml`
            <div class="o_probe">
                <t t-if="screen.data">
                    <span class="o_month" t-esc="screen.data.month.label"/>
                    <span t-if="screen.isEmpty" class="o_empty">Nothing this month</span>
                </t>
            </div>`;

        static props = ["*"];
        setup() {
            this.screen = useKpiScreen({
                load,
                params: {month: false, team_id: 3},
                isEmpty: (data) => !data.rows.length,
                ...options,
            });
            screen = this.screen;
        }
    }
    await mountWithCleanup(Probe);
    return screen;
}

describe("useKpiScreen", () => {
    test("loads before the first render and keeps the parameters", async () => {
        const calls = [];
        const screen = await mountScreen(async (params) => {
            calls.push(params);
            return answer(params);
        });
        expect(calls).toEqual([{month: false, team_id: 3}]);
        expect(".o_month").toHaveText("2026-11");
        await screen.load({team_id: 5});
        expect(calls.at(-1)).toEqual({month: "2026-11-01", team_id: 5});
        await screen.reload();
        expect(calls.at(-1)).toEqual({month: "2026-11-01", team_id: 5});
    });

    test("moves between months and tells an empty one", async () => {
        const calls = [];
        const screen = await mountScreen(async (params) => {
            calls.push(params);
            return answer(params);
        });
        expect(screen.monthSwitcher.isCurrent).toBe(true);
        expect(screen.monthSwitcher.label).toBe("2026-11");
        await screen.monthSwitcher.onNext();
        await animationFrame();
        expect(calls.at(-1).month).toBe("2026-12-01");
        expect(".o_empty").toHaveCount(1);
        expect(screen.monthSwitcher.isCurrent).toBe(false);
        await screen.monthSwitcher.onPrevious();
        await screen.monthSwitcher.onPrevious();
        await animationFrame();
        expect(calls.at(-1).month).toBe("2026-10-01");
        expect(".o_empty").toHaveCount(0);
        await screen.monthSwitcher.onCurrent();
        expect(calls.at(-1).month).toBe("2026-11-01");
    });

    test("a screen's own navigation, and where its months stop", async () => {
        const calls = [];
        const limits = [];
        // As the plan grid's year layout: a year at a time, and no year after 2026.
        const screen = await mountScreen(
            async (params) => {
                calls.push(params);
                return answer(params);
            },
            {
                navigation: (data) => ({
                    label: data.month.key.slice(0, 4),
                    previous: "2025-01-01",
                    next: data.month.key < "2026-01-01" ? "2026-01-01" : false,
                    current: data.current_month,
                    isCurrent: data.month.key === data.current_month,
                }),
                onLimit: (data) => limits.push(data.month.key),
            }
        );
        expect(screen.monthSwitcher.label).toBe("2026");
        await screen.monthSwitcher.onNext();
        expect(calls.length).toBe(1);
        expect(limits).toEqual(["2026-11-01"]);
        await screen.monthSwitcher.onPrevious();
        expect(calls.at(-1).month).toBe("2025-01-01");
        expect(screen.monthSwitcher.label).toBe("2025");
        expect(screen.monthSwitcher.isCurrent).toBe(false);
        await screen.monthSwitcher.onNext();
        expect(calls.at(-1).month).toBe("2026-01-01");
        await screen.monthSwitcher.onCurrent();
        expect(calls.at(-1).month).toBe("2026-11-01");
        expect(limits).toEqual(["2026-11-01"]);
    });

    test("an answer that comes after a newer load was asked is dropped", async () => {
        const pending = [];
        const screen = await mountScreen((params) => {
            if (!params.month) {
                return answer(params);
            }
            const deferred = new Deferred();
            pending.push([deferred, params]);
            return deferred;
        });
        const slow = screen.switchMonth("2026-09-01");
        const fast = screen.switchMonth("2026-10-01");
        const [[slowDeferred, slowParams], [fastDeferred, fastParams]] = pending;
        fastDeferred.resolve(answer(fastParams));
        await fast;
        slowDeferred.resolve(answer(slowParams));
        await slow;
        await animationFrame();
        expect(screen.data.month.key).toBe("2026-10-01");
        expect(".o_month").toHaveText("2026-10");
    });

    test("live: every load asks for stale figures, Refresh for all of them", async () => {
        const calls = [];
        const screen = await mountScreen(
            async (params) => {
                calls.push(params);
                return answer(params);
            },
            {live: true}
        );
        expect(calls).toEqual([{month: false, team_id: 3, refresh: "stale"}]);
        await screen.refresh();
        expect(calls.at(-1)).toEqual({month: "2026-11-01", team_id: 3, refresh: "all"});
        expect(screen.isStale).toBe(true);
        expect(screen.freshness.text).toMatch(/^Refreshed .* ago$/);
    });

    test("live: stale figures are reloaded once per period, fresh ones are not", async () => {
        let refreshedOn = LONG_AGO;
        const calls = [];
        const screen = await mountScreen(
            async (params) => {
                calls.push(params);
                return answer(params, refreshedOn);
            },
            {live: true}
        );
        await screen.tick();
        expect(calls.length).toBe(2);
        // The server could not refresh them (still old): not asked again in the same period.
        await screen.tick();
        expect(calls.length).toBe(2);

        refreshedOn = luxon.DateTime.utc().toFormat("yyyy-MM-dd HH:mm:ss");
        await screen.load({month: "2026-10-01"});
        expect(screen.isStale).toBe(false);
        await screen.tick();
        expect(calls.length).toBe(3);
    });
});
