/**
 * Months as the screens' server sends them: keys "YYYY-MM-01" (the first day of the month, as in
 * `olimp.kpi.scorecard.date_from`). Pure functions, tested in static/tests/screens_helpers.test.js.
 */

/**
 * The key of the month `steps` months after the month of `key` (before it when negative).
 *
 * @param {String} key "YYYY-MM-01" (any day of the month is read as its month)
 * @param {Number} steps
 * @returns {String}
 */
export function shiftMonth(key, steps) {
    const [year, month] = key.split("-").map((part) => parseInt(part, 10));
    const index = year * 12 + (month - 1) + steps;
    const shiftedYear = Math.floor(index / 12);
    const shiftedMonth = index - shiftedYear * 12 + 1;
    return `${String(shiftedYear).padStart(4, "0")}-${String(shiftedMonth).padStart(2, "0")}-01`;
}

/**
 * Where the month switcher goes from the month shown: the month before, the month after and today's month.
 *
 * @param {String} monthKey the month shown
 * @param {String} currentKey today's month (the server's, in the user's time zone)
 * @returns {{previous: String, next: String, current: String, isCurrent: Boolean}}
 */
export function monthNavigation(monthKey, currentKey) {
    return {
        previous: shiftMonth(monthKey, -1),
        next: shiftMonth(monthKey, 1),
        current: currentKey,
        isCurrent: monthKey === currentKey,
    };
}
