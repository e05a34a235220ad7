import {deserializeDateTime, formatDateTime} from "@web/core/l10n/dates";
import {_t} from "@web/core/l10n/translation";

/**
 * How old the figures of a screen are, from the `freshness` the server sends with them ({refreshed_on,
 * stale_after_minutes, refreshed, error}, or false when only closed months are shown: their figures never change).
 * Pure functions of the data and of `now` (a luxon DateTime), tested in static/tests/screens_helpers.test.js.
 */

/**
 * Minutes since the figures were collected, or null when they never were.
 *
 * @param {Object} freshness
 * @param {luxon.DateTime} now
 * @returns {Number|null}
 */
export function figuresAge(freshness, now) {
    if (!freshness || !freshness.refreshed_on) {
        return null;
    }
    const refreshedOn = deserializeDateTime(freshness.refreshed_on);
    return Math.max(0, now.diff(refreshedOn, "minutes").minutes);
}

/**
 * Whether the figures are older than the server's limit (or were never collected): the screen then asks for
 * them again. Closed months (no freshness) are never stale.
 *
 * @param {Object|false} freshness
 * @param {luxon.DateTime} now
 * @returns {Boolean}
 */
export function isStale(freshness, now) {
    if (!freshness) {
        return false;
    }
    const age = figuresAge(freshness, now);
    return age === null || age >= freshness.stale_after_minutes;
}

/**
 * What the screen says about its figures: "Refreshed 5 minutes ago", with the date and time in the title.
 *
 * @param {Object|false} freshness
 * @param {luxon.DateTime} now
 * @returns {{text: String, title: String}|null}
 */
export function describeFreshness(freshness, now) {
    if (!freshness) {
        return null;
    }
    if (!freshness.refreshed_on) {
        return {text: _t("Not refreshed yet"), title: ""};
    }
    const refreshedOn = deserializeDateTime(freshness.refreshed_on);
    const title = _t(
        "Figures collected on %s",
        formatDateTime(refreshedOn, {showSeconds: false})
    );
    if (figuresAge(freshness, now) < 1) {
        return {text: _t("Refreshed just now"), title};
    }
    return {text: _t("Refreshed %s", refreshedOn.toRelative({base: now})), title};
}
