/**
 * Sorting of the team board's rows. Pure functions, tested in static/tests/screens_helpers.test.js.
 */

/** The column of the employees' names: sorted A to Z first, figures are sorted best first. */
export const NAME_KEY = "employee";
/** The column of the efficiency. */
export const EFFICIENCY_KEY = "efficiency";

/**
 * The value a board row is sorted on: the name, the efficiency, or the completion of a KPI column (null when the
 * employee has no line for that KPI, or a line without plan).
 *
 * @param {Object} row a row of `get_team_board`: {employee: {name}, efficiency, cells}
 * @param {String|Number} key NAME_KEY, EFFICIENCY_KEY or a KPI id
 * @param {Array} columns the board's KPI columns ({id}), in the order of the cells
 * @returns {String|Number|null}
 */
export function boardSortValue(row, key, columns) {
    if (key === NAME_KEY) {
        return row.employee.name;
    }
    if (key === EFFICIENCY_KEY) {
        return row.efficiency;
    }
    const cell = row.cells[columns.findIndex((column) => column.id === key)];
    return cell && cell.zone !== "none" ? cell.completion : null;
}

/**
 * Rows in the order of `valueOf`: texts in the user's alphabetical order, numbers by size; rows without a value
 * go last in either direction. The sort is stable and leaves `rows` as it is.
 *
 * @param {Array} rows
 * @param {Function} valueOf row => String|Number|null
 * @param {Boolean} ascending
 * @returns {Array}
 */
export function sortRows(rows, valueOf, ascending) {
    const direction = ascending ? 1 : -1;
    const keyed = rows.map((row, index) => ({row, index, value: valueOf(row)}));
    keyed.sort((a, b) => {
        const aMissing = a.value === null || a.value === undefined;
        const bMissing = b.value === null || b.value === undefined;
        if (aMissing || bMissing) {
            return aMissing - bMissing || a.index - b.index;
        }
        const order =
            typeof a.value === "string"
                ? a.value.localeCompare(b.value, undefined, {sensitivity: "base"})
                : a.value - b.value;
        return direction * order || a.index - b.index;
    });
    return keyed.map((item) => item.row);
}

/**
 * The order after a click on the title of column `key`: the same column again reverses it; another column sorts
 * names A to Z and figures best first (the highest completion or efficiency on top).
 *
 * @param {{key: String|Number, ascending: Boolean}} current
 * @param {String|Number} key
 * @returns {{key: String|Number, ascending: Boolean}}
 */
export function nextSort(current, key) {
    if (current.key === key) {
        return {key, ascending: !current.ascending};
    }
    return {key, ascending: key === NAME_KEY};
}
