/**
 * What a screen was opened with: the client action's params (from another screen), or the state kept in the
 * URL when the page is reloaded.
 */
export function actionParams(action) {
    return {...(action.context?.params || {}), ...(action.params || {})};
}

export function toInt(value) {
    const number = parseInt(value, 10);
    return Number.isNaN(number) ? false : number;
}
