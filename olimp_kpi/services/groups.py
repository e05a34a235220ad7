"""The KPI groups, by the names users see (README, "Words"): one place for their XML ids.

- Sales / KPI: *User: Own Scorecards* (``group_kpi_user``): a salesperson, who sees their own scorecards;
- Sales / KPI: *Team Leader* (``group_kpi_manager``, not the HR manager of ``hr.employee``): the team's
  scorecards, plans, checklist answers, closing and reopening;
- Sales / KPI: *Administrator* (``group_kpi_admin``): KPIs, profiles, follow-up rules, every scorecard;
- Human Resources / KPI: *HR Reader* (``group_kpi_hr_reader``): reads every scorecard and efficiency, changes
  nothing.
"""

KPI_USER_GROUP = "olimp_kpi.group_kpi_user"
TEAM_LEADER_GROUP = "olimp_kpi.group_kpi_manager"
KPI_ADMIN_GROUP = "olimp_kpi.group_kpi_admin"
HR_READER_GROUP = "olimp_kpi.group_kpi_hr_reader"


def is_team_leader(env):
    """Whether the user of ``env`` may do what team leaders do (superuser included)."""
    return env.su or env.user.has_group(TEAM_LEADER_GROUP)
