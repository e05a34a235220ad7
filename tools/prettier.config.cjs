/*
 * Prettier for the add-ons' JavaScript and SCSS (run by tools/lint): the options of OCA's
 * oca-addons-repo-template for Odoo 18 (its .prettierrc.cjs, prettier 3.3.3), with the 4-space indentation that
 * OCA repositories set for JavaScript and SCSS in their .editorconfig (Prettier reads it there; here it is explicit).
 * OCA also formats XML with @prettier/plugin-xml; the QWeb templates are left out here (see tools/lint), so the
 * plugin is not installed.
 */
/** @type {import('prettier').Config} */
module.exports = {
    bracketSpacing: false,
    printWidth: 88,
    proseWrap: "always",
    semi: true,
    tabWidth: 4,
    trailingComma: "es5",
};
