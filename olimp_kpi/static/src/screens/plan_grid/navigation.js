/**
 * Where the plan grid's month switcher goes (useKpiScreen's `navigation`): a month at a time in the KPIs layout, a
 * year at a time in the year layout, never past the last month that can be planned (the server answers `false`
 * there: see PlanGrid.grid). Pure, tested in static/tests/screens_helpers.test.js.
 *
 * @param {Object} data the answer of olimp.kpi.plan.get_grid
 * @returns {{label: String, previous: String, next: (String|false), current: String, isCurrent: Boolean}}
 */
export function planGridNavigation(data) {
    const year = data.mode === "year";
    return {
        label: year ? `${data.year}` : data.month.label,
        previous: year ? data.previous_year : data.previous_month,
        next: year ? data.next_year : data.next_month,
        current: data.current_month,
        isCurrent: data.month.key === data.current_month,
    };
}
