import {formatFloat} from "@web/core/utils/numbers";

const NBSP = "\u00a0";

/** A percentage with one decimal at most, or nothing for a missing value. */
export function formatPercent(value) {
    if (value === null || value === undefined || value === false) {
        return "";
    }
    return `${formatFloat(value, {digits: [16, 1], trailingZeros: false})}${NBSP}%`;
}

/**
 * A KPI value as people read it: amounts in whole units of the company currency, counts as integers,
 * percentages with one decimal at most.
 *
 * @param {Number} value
 * @param {String} unit count | amount | percent | number
 * @param {{symbol: String, position: String}} [currency]
 * @returns {String}
 */
export function formatKpiValue(value, unit, currency) {
    const number = value || 0;
    if (unit === "amount") {
        const amount = formatFloat(number, {digits: [16, 0]});
        if (!currency) {
            return amount;
        }
        return currency.position === "before"
            ? `${currency.symbol}${NBSP}${amount}`
            : `${amount}${NBSP}${currency.symbol}`;
    }
    if (unit === "percent") {
        return formatPercent(number);
    }
    if (unit === "count") {
        return formatFloat(number, {digits: [16, 1], trailingZeros: false});
    }
    return formatFloat(number, {digits: [16, 2], trailingZeros: false});
}

/** A plan in an input field: grouped digits (read back by the standard parser), no currency. */
export function formatPlanInput(value) {
    return formatFloat(value || 0, {digits: [16, 2], trailingZeros: false});
}

/** `{key: label}` maps of the server's selection fields, with the key itself as the fallback. */
export function selectionLabel(labels, field, key) {
    return (labels && labels[field] && labels[field][key]) || key || "";
}
