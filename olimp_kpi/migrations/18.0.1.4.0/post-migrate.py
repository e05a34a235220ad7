"""Scorecards are read by the KPI groups only: the HR record rules go from HR officers to KPI HR readers.

Before 18.0.1.4.0, three record rules let every HR officer (``hr.group_hr_user``) read every scorecard, line and
checklist answer; installing OCA Payroll made every existing user an HR officer. The rules are ``noupdate`` data,
so an update of the module does not change them: this script gives them to the new group *KPI / HR Reader*. The
KPI menus HR officers saw are the readers' now: an update adds the new group to a menu but keeps the old one.

Nobody gets the new group here: being an HR officer no longer reads scorecards, and an administrator gives *HR
Reader* to the people who apply efficiency to pay (the log says how many HR officers lost the reading).
"""

import logging

from odoo import SUPERUSER_ID, Command, api

_logger = logging.getLogger(__name__)

HR_RULES = {
    "olimp_kpi.olimp_kpi_scorecard_rule_hr": "Scorecards: HR readers read all",
    "olimp_kpi.olimp_kpi_scorecard_line_rule_hr": "Scorecard lines: HR readers read all",
    "olimp_kpi.olimp_kpi_scorecard_answer_rule_hr": "Checklist answers: HR readers read all",
}


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    reader = env.ref("olimp_kpi.group_kpi_hr_reader")
    hr_officer = env.ref("hr.group_hr_user")
    for xmlid, name in HR_RULES.items():
        rule = env.ref(xmlid, raise_if_not_found=False)
        if rule and hr_officer in rule.groups:
            rule.write({"name": name, "groups": [Command.unlink(hr_officer.id), Command.link(reader.id)]})
    menus = env["ir.ui.menu"].browse(
        env["ir.model.data"].search([("module", "=", "olimp_kpi"), ("model", "=", "ir.ui.menu")]).mapped("res_id")
    )
    menus.filtered(lambda menu: hr_officer in menu.groups_id).write({"groups_id": [Command.unlink(hr_officer.id)]})
    without_kpi = hr_officer.users.filtered(lambda user: not user.has_group("olimp_kpi.group_kpi_admin"))
    _logger.info(
        "KPI scorecards are now read by the KPI groups only: %s HR officers who are not KPI administrators no longer "
        "read every scorecard; give KPI / HR Reader to those who apply efficiency to pay.",
        len(without_kpi),
    )
