"""Console and server messages in Simplified Chinese (default) and English."""
from __future__ import annotations

from flask import has_request_context, request, session

LANGUAGES = ("zh", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "app_name": {"zh": "农资打假现场检查系统", "en": "Farm-input inspection system"},
    "console": {"zh": "审核控制台", "en": "Review console"},
    "login": {"zh": "登录", "en": "Log in"},
    "logout": {"zh": "退出登录", "en": "Log out"},
    "username": {"zh": "用户名", "en": "Username"},
    "password": {"zh": "密码", "en": "Password"},
    "session_expired": {"zh": "登录已过期，请重新登录。", "en": "Your session has expired. Log in again."},
    "login_bad_credentials": {"zh": "用户名或密码错误。", "en": "Wrong username or password."},
    "login_account_inactive": {"zh": "该账号已停用。", "en": "This account is deactivated."},
    "login_rate_limited": {"zh": "登录失败次数过多，请稍后再试。", "en": "Too many failed logins. Try again later."},
    "welcome": {"zh": "欢迎", "en": "Welcome"},
    "role_inspector": {"zh": "执法人员", "en": "Inspector"},
    "role_reviewer": {"zh": "审核人员", "en": "Reviewer"},
    "role_admin": {"zh": "管理员", "en": "Administrator"},
    "agency": {"zh": "所属机构", "en": "Agency"},
    "cert_no": {"zh": "执法证号", "en": "Certificate no."},
    "devices": {"zh": "设备", "en": "Devices"},
    "revoke": {"zh": "吊销", "en": "Revoke"},
    "revoked": {"zh": "已吊销", "en": "Revoked"},
    "language": {"zh": "English", "en": "中文"},
    "csrf_failed": {"zh": "表单已过期，请刷新页面后重试。", "en": "The form has expired. Reload the page and try again."},
}


def current_language() -> str:
    if has_request_context():
        lang = session.get("lang") or request.cookies.get("lang")
        if lang in LANGUAGES:
            return lang
    return "zh"


def t(key: str, default: str | None = None, **values: object) -> str:
    """The message in the current language; `default` (or the key) when there is none."""
    entry = MESSAGES.get(key)
    text = entry.get(current_language(), entry["zh"]) if entry else (default or key)
    return text.format(**values) if values else text
