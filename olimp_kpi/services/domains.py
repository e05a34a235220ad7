"""Domains stored as text on KPIs and regulation rules: read as data (literals only, never code) and checked
against their model, with the reason in the user's words."""

import ast

from odoo.osv import expression


def parse_domain(text):
    """A stored domain is data: only literals are accepted, never code (no eval of user text)."""
    try:
        domain = ast.literal_eval((text or "[]").strip() or "[]")
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as error:
        raise ValueError(str(error)) from error
    if not isinstance(domain, list | tuple):
        raise ValueError("not a list")
    return [tuple(term) if isinstance(term, list) else term for term in domain]


LITERAL_NODES = (ast.Expression, ast.Constant, ast.List, ast.Tuple, ast.Load)


def literal_problem(env, text):
    """Why ``text`` is not a list of fixed values, in the user's words, or ``None``."""
    source = (text or "[]").strip() or "[]"
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as error:
        offset = getattr(error, "offset", None) or 1
        return env._(
            "The text cannot be read as a list of conditions: a bracket, a parenthesis or a quote is not closed, or "
            "a comma is missing (near “%(near)s”).",
            near=source[max(0, offset - 15) : offset + 15].strip() or source[:30],
        )
    if not isinstance(tree.body, ast.List | ast.Tuple):
        return env._('The conditions must be a list in square brackets, e.g. [("state", "=", "sale")].')
    for node in ast.walk(tree):
        if isinstance(node, LITERAL_NODES):
            continue
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            continue
        if isinstance(node, ast.USub | ast.UAdd):
            continue
        return env._(
            "“%(code)s” is not a fixed value: conditions compare fields with fixed values only (numbers, texts, "
            "True, False or lists of them), not with variables such as uid or calculations such as "
            "context_today().",
            code=ast.get_source_segment(source, node) or source,
        )
    return None


def _term_problem(model, term):
    """What is wrong with one condition of a domain on ``model`` (a recordset), in the user's words, or ``None``."""
    env = model.env
    if isinstance(term, str):
        if term in expression.DOMAIN_OPERATORS:
            return None
        return env._("“%(term)s” is neither a condition nor one of the operators &, | and !.", term=term)
    if not isinstance(term, tuple) or len(term) != 3 or not isinstance(term[0], str | int):
        return env._(
            "“%(term)s” is not a condition: write each condition as (field, operator, value), e.g. "
            '("state", "=", "sale").',
            term=repr(term),
        )
    path, operator, __ = term
    if isinstance(path, int):
        if term in (expression.TRUE_LEAF, expression.FALSE_LEAF):
            return None
        return env._(
            "“%(term)s” is not a condition: write each condition as (field, operator, value).", term=repr(term)
        )
    if operator not in expression.TERM_OPERATORS:
        return env._(
            "“%(operator)s” is not an operator. Use one of: %(operators)s.",
            operator=operator,
            operators=", ".join(expression.TERM_OPERATORS),
        )
    current = model
    parts = path.split(".")
    for index, name in enumerate(parts):
        field = current._fields.get(name)
        if field is None:
            return env._("%(model)s has no field “%(field)s”.", model=_model_name(current), field=name)
        if index < len(parts) - 1:
            if not field.relational:
                return env._(
                    "“%(field)s” of %(model)s does not link to other records: “%(path)s” cannot go through it.",
                    field=name,
                    model=_model_name(current),
                    path=path,
                )
            current = env[field.comodel_name]
    return None


def _model_name(model):
    """The name users know a model by (e.g. Lead/Opportunity), for messages."""
    return model.env["ir.model"]._get(model._name).name or model._name


def compile_domain(model, text):
    """The normalized domain of ``text``, checked against ``model`` (a recordset) by building its SQL without
    running it: unknown fields and bad operators fail here. Raises :class:`ValueError` with the reason, in the
    user's words, when ``text`` is not a domain of fixed values on that model."""
    env = model.env
    problem = literal_problem(env, text)
    if problem:
        raise ValueError(problem)
    domain = parse_domain(text)
    for term in domain:
        problem = _term_problem(model, term)
        if problem:
            raise ValueError(problem)
    try:
        domain = expression.normalize_domain(domain)
    except (ValueError, AssertionError, IndexError, TypeError) as error:
        raise ValueError(
            env._("The operators &, | and ! do not have the number of conditions they combine (two, or one for !).")
        ) from error
    try:
        model._where_calc(domain)
    except (ValueError, KeyError, TypeError, AssertionError, IndexError) as error:
        raise ValueError(
            env._("A condition cannot be applied to %(model)s: %(detail)s", model=model._description, detail=error)
        ) from error
    return domain


def parse_domain_or_none(text):
    try:
        return parse_domain(text)
    except ValueError:
        return None
