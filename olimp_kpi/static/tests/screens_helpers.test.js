import {
    NAME_KEY,
    boardSortValue,
    nextSort,
    sortRows,
} from "@olimp_kpi/screens/common/sorting";
import {beforeEach, describe, expect, test} from "@odoo/hoot";
import {
    describeFreshness,
    figuresAge,
    isStale,
} from "@olimp_kpi/screens/common/freshness";
import {
    formatKpiValue,
    formatPercent,
    selectionLabel,
} from "@olimp_kpi/screens/common/format";
import {monthNavigation, shiftMonth} from "@olimp_kpi/screens/common/month";
import {patchTranslations, patchWithCleanup} from "@web/../tests/web_test_helpers";
import {localization} from "@web/core/l10n/localization";
import {planGridNavigation} from "@olimp_kpi/screens/plan_grid/navigation";

/*
 * The pure helpers of the KPI screens (scorecard screen, team board, plan grid): formatting, sorting, month
 * navigation and the age of the figures. Run by olimp_kpi/tests/test_js.py (Odoo's /web/tests page, in headless
 * Chromium).
 */
describe.current.tags("headless");

const NBSP = "\u00a0";
const {DateTime} = luxon;

beforeEach(() => {
    // The user's language and its settings, as the web client loads them.
    patchTranslations();
    patchWithCleanup(localization, {
        dateFormat: "MM/dd/yyyy",
        dateTimeFormat: "MM/dd/yyyy HH:mm:ss",
        decimalPoint: ".",
        grouping: [3, 0],
        shortTimeFormat: "HH:mm",
        thousandsSep: ",",
        timeFormat: "HH:mm:ss",
    });
});

describe("formatting", () => {
    test("amounts in whole units with the currency where it goes", () => {
        const dollar = {symbol: "$", position: "before"};
        expect(formatKpiValue(491970.4, "amount", dollar)).toBe(`$${NBSP}491,970`);
        expect(formatKpiValue(500000, "amount")).toBe("500,000");
        expect(formatKpiValue(false, "amount", dollar)).toBe(`$${NBSP}0`);
    });

    test("amounts in the Russian way", () => {
        patchWithCleanup(localization, {
            decimalPoint: ",",
            thousandsSep: NBSP,
            grouping: [3, 0],
        });
        const rouble = {symbol: "₽", position: "after"};
        expect(formatKpiValue(491970, "amount", rouble)).toBe(`491${NBSP}970${NBSP}₽`);
        expect(formatPercent(98.44)).toBe(`98,4${NBSP}%`);
    });

    test("counts, percentages and numbers", () => {
        expect(formatKpiValue(10, "count")).toBe("10");
        expect(formatKpiValue(2.5, "count")).toBe("2.5");
        expect(formatKpiValue(50, "percent")).toBe(`50${NBSP}%`);
        expect(formatKpiValue(1.234, "number")).toBe("1.23");
        expect(formatKpiValue(null, "count")).toBe("0");
    });

    test("a percentage: one decimal at most, nothing when missing, 0 is a value", () => {
        expect(formatPercent(98.44)).toBe(`98.4${NBSP}%`);
        expect(formatPercent(100)).toBe(`100${NBSP}%`);
        expect(formatPercent(0)).toBe(`0${NBSP}%`);
        expect(formatPercent(null)).toBe("");
        expect(formatPercent(false)).toBe("");
        expect(formatPercent(undefined)).toBe("");
    });

    test("labels of selection values, the key when unknown", () => {
        const labels = {zone: {red: "Red", green: "Green"}};
        expect(selectionLabel(labels, "zone", "red")).toBe("Red");
        expect(selectionLabel(labels, "zone", "yellow")).toBe("yellow");
        expect(selectionLabel(labels, "trend", "up")).toBe("up");
        expect(selectionLabel(undefined, "zone", "red")).toBe("red");
        expect(selectionLabel(labels, "zone", false)).toBe("");
    });
});

describe("sorting the team board", () => {
    const columns = [{id: 7}, {id: 9}];
    const olga = {
        employee: {name: "Olga"},
        efficiency: 67.6,
        cells: [{zone: "green", completion: 100}, null],
    };
    const irina = {
        employee: {name: "irina"},
        efficiency: 68.3,
        cells: [
            {zone: "red", completion: 40},
            {zone: "none", completion: 0},
        ],
    };
    const dmitry = {
        employee: {name: "Dmitry"},
        efficiency: 19.3,
        cells: [null, {zone: "red", completion: 20}],
    };
    const rows = [olga, irina, dmitry];
    const names = (sorted) => sorted.map((row) => row.employee.name);
    const sortBy = (key, ascending) =>
        names(sortRows(rows, (row) => boardSortValue(row, key, columns), ascending));

    test("names A to Z whatever their case, and back", () => {
        expect(sortBy(NAME_KEY, true)).toEqual(["Dmitry", "irina", "Olga"]);
        expect(sortBy(NAME_KEY, false)).toEqual(["Olga", "irina", "Dmitry"]);
    });

    test("efficiency", () => {
        expect(sortBy("efficiency", false)).toEqual(["irina", "Olga", "Dmitry"]);
        expect(sortBy("efficiency", true)).toEqual(["Dmitry", "Olga", "irina"]);
    });

    test("a KPI's completion; no line or no plan goes last either way", () => {
        expect(sortBy(7, true)).toEqual(["irina", "Olga", "Dmitry"]);
        expect(sortBy(7, false)).toEqual(["Olga", "irina", "Dmitry"]);
        expect(sortBy(9, false)).toEqual(["Dmitry", "Olga", "irina"]);
        expect(sortBy(9, true)).toEqual(["Dmitry", "Olga", "irina"]);
    });

    test("the rows given are left as they were", () => {
        sortRows(rows, (row) => row.efficiency, true);
        expect(names(rows)).toEqual(["Olga", "irina", "Dmitry"]);
    });

    test("a click on a column title: the same column reverses, figures start best first", () => {
        const byName = {key: NAME_KEY, ascending: true};
        expect(nextSort(byName, NAME_KEY)).toEqual({key: NAME_KEY, ascending: false});
        expect(nextSort(byName, "efficiency")).toEqual({
            key: "efficiency",
            ascending: false,
        });
        expect(nextSort(byName, 7)).toEqual({key: 7, ascending: false});
        expect(nextSort({key: 7, ascending: false}, 7)).toEqual({
            key: 7,
            ascending: true,
        });
        expect(nextSort({key: 7, ascending: false}, NAME_KEY)).toEqual({
            key: NAME_KEY,
            ascending: true,
        });
    });
});

describe("month navigation", () => {
    test("months before and after, across years", () => {
        expect(shiftMonth("2026-11-01", 1)).toBe("2026-12-01");
        expect(shiftMonth("2026-12-01", 1)).toBe("2027-01-01");
        expect(shiftMonth("2026-01-01", -1)).toBe("2025-12-01");
        expect(shiftMonth("2026-11-01", -13)).toBe("2025-10-01");
        expect(shiftMonth("2026-11-15", 0)).toBe("2026-11-01");
    });

    test("the switcher from the month shown", () => {
        expect(monthNavigation("2026-11-01", "2026-11-01")).toEqual({
            previous: "2026-10-01",
            next: "2026-12-01",
            current: "2026-11-01",
            isCurrent: true,
        });
        expect(monthNavigation("2027-01-01", "2026-11-01").isCurrent).toBe(false);
        expect(monthNavigation("2027-01-01", "2026-11-01").previous).toBe("2026-12-01");
    });
});

describe("the plan grid's navigation", () => {
    /** What olimp.kpi.plan.get_grid answers about months in November 2026 (plans up to December 2027). */
    function grid(mode, month, label) {
        const year = parseInt(month.slice(0, 4), 10);
        return {
            mode,
            month: {key: month, label},
            previous_month: shiftMonth(month, -1),
            next_month: month < "2027-12-01" ? shiftMonth(month, 1) : false,
            current_month: "2026-11-01",
            year,
            previous_year: `${year - 1}-01-01`,
            next_year: year < 2027 ? `${year + 1}-01-01` : false,
        };
    }

    test("the KPIs of a month: month by month, up to the last month that can be planned", () => {
        expect(planGridNavigation(grid("kpis", "2026-11-01", "November 2026"))).toEqual(
            {
                label: "November 2026",
                previous: "2026-10-01",
                next: "2026-12-01",
                current: "2026-11-01",
                isCurrent: true,
            }
        );
        const last = planGridNavigation(grid("kpis", "2027-12-01", "December 2027"));
        expect(last.next).toBe(false);
        expect(last.previous).toBe("2027-11-01");
        expect(last.isCurrent).toBe(false);
    });

    test("the year of a KPI: year by year, from January", () => {
        expect(planGridNavigation(grid("year", "2026-11-01", "November 2026"))).toEqual(
            {
                label: "2026",
                previous: "2025-01-01",
                next: "2027-01-01",
                current: "2026-11-01",
                isCurrent: true,
            }
        );
        const next = planGridNavigation(grid("year", "2027-01-01", "January 2027"));
        expect(next.label).toBe("2027");
        expect(next.next).toBe(false);
        expect(next.previous).toBe("2026-01-01");
        expect(next.isCurrent).toBe(false);
    });
});

describe("age of the figures", () => {
    const freshness = {refreshed_on: "2026-11-15 09:00:00", stale_after_minutes: 5};
    const at = (time) => DateTime.fromSQL(`2026-11-15 ${time}`, {zone: "utc"});

    test("minutes since the last refresh", () => {
        expect(figuresAge(freshness, at("09:04:00"))).toBe(4);
        expect(figuresAge({...freshness, refreshed_on: false}, at("09:04:00"))).toBe(
            null
        );
        expect(figuresAge(freshness, at("08:58:00"))).toBe(0);
    });

    test("stale after the server's limit, or when never collected", () => {
        expect(isStale(freshness, at("09:04:59"))).toBe(false);
        expect(isStale(freshness, at("09:05:00"))).toBe(true);
        expect(isStale({...freshness, refreshed_on: false}, at("09:00:00"))).toBe(true);
        expect(isStale(false, at("12:00:00"))).toBe(false);
    });

    test("what the screen says", () => {
        expect(describeFreshness(freshness, at("09:00:40")).text).toBe(
            "Refreshed just now"
        );
        expect(describeFreshness(freshness, at("09:07:00")).text).toBe(
            "Refreshed 7 minutes ago"
        );
        expect(describeFreshness(freshness, at("11:00:00")).text).toBe(
            "Refreshed 2 hours ago"
        );
        expect(describeFreshness(freshness, at("08:55:00")).text).toBe(
            "Refreshed just now"
        );
        expect(describeFreshness(freshness, at("09:07:00")).title).toMatch(
            /^Figures collected on \d\d\/\d\d\/2026 \d\d:\d\d$/
        );
        expect(
            describeFreshness({...freshness, refreshed_on: false}, at("09:00:00")).text
        ).toBe("Not refreshed yet");
        expect(describeFreshness(false, at("09:00:00"))).toBe(null);
    });
});
