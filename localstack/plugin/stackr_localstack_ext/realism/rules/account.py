"""Account behaviour: IAM rewriting stored policy documents, and password rules with no policy.

IAM stores a policy in its own form: an account id as a principal becomes the account's root
ARN, and condition values come back as strings
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts).
With no password policy set, IAM console passwords still need 8 characters and three of the four
character classes (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html).
IAM refuses a write that overlaps another on the same entity with ConcurrentModification (409),
which the SDKs do not retry (https://docs.aws.amazon.com/IAM/latest/APIReference/API_TagPolicy.html).
"""

from __future__ import annotations

import json
import re
import urllib.parse

from .. import backend
from ..core import fail
from ..state import FACTS

DOCUMENT_OPS = {
    "CreateRole": "AssumeRolePolicyDocument",
    "UpdateAssumeRolePolicy": "PolicyDocument",
    "PutRolePolicy": "PolicyDocument",
    "PutUserPolicy": "PolicyDocument",
    "PutGroupPolicy": "PolicyDocument",
    "CreatePolicy": "PolicyDocument",
    "CreatePolicyVersion": "PolicyDocument",
}


def rewrite_document(text: str) -> str | None:
    """The document as IAM would store it, or None when it is not changed."""
    try:
        doc = json.loads(urllib.parse.unquote(text) if text.lstrip().startswith("%") else text)
    except ValueError:
        return None
    before = json.dumps(doc, sort_keys=True)
    statements = doc.get("Statement", [])
    for st in statements if isinstance(statements, list) else [statements]:
        if not isinstance(st, dict):
            continue
        for key in ("Principal", "NotPrincipal"):
            principal = st.get(key)
            if isinstance(principal, dict) and "AWS" in principal:
                principal["AWS"] = _root_arns(principal["AWS"])
        if isinstance(st.get("Condition"), dict):
            st["Condition"] = {op: _strings(body) for op, body in st["Condition"].items()}
    return None if json.dumps(doc, sort_keys=True) == before else json.dumps(doc)


def _root_arns(value):
    if isinstance(value, list):
        return [_root_arns(v) for v in value]
    if isinstance(value, str) and re.fullmatch(r"\d{12}", value):
        return f"arn:aws:iam::{value}:root"
    return value


def _strings(value):
    if isinstance(value, dict):
        return {k: _strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def after(call, _response) -> None:
    if call.service != "iam" or not call.profile.iam_policy_rewrite or call.op not in DOCUMENT_OPS:
        return
    new = rewrite_document(call.params.get(DOCUMENT_OPS[call.op]) or "")
    if new is None:
        return
    iam, p = backend.iam(call), call.params
    if call.op in ("CreateRole", "UpdateAssumeRolePolicy"):
        iam.get_role(p["RoleName"]).assume_role_policy_document = new
    elif call.op == "PutRolePolicy":
        iam.get_role(p["RoleName"]).policies[p["PolicyName"]] = new
    elif call.op == "PutUserPolicy":
        iam.get_user(p["UserName"]).policies[p["PolicyName"]] = new
    elif call.op == "PutGroupPolicy":
        iam.get_group(p["GroupName"]).policies[p["PolicyName"]] = new
    else:
        arn = p.get("PolicyArn") or call.out.get("Policy", {}).get("Arn")
        policy = iam.managed_policies.get(arn)
        if policy is not None:
            version = policy.versions[-1]
            version.document = new
            if call.op == "CreatePolicy":
                policy.document = new


def check(call) -> None:
    if call.service != "iam":
        return
    conflict(call)
    password_rules(call)


# Writes that meet another writer the first time, and what names the object they change.
CONFLICTING = {
    "TagPolicy": "PolicyArn",
    "UntagPolicy": "PolicyArn",
    "AttachUserPolicy": "UserName",
    "AttachGroupPolicy": "GroupName",
    "AttachRolePolicy": "RoleName",
}


def conflict(call) -> None:
    """The first tag write on each policy, and the first attachment to each principal, meet
    another writer."""
    if not call.profile.iam_conflicts or call.op not in CONFLICTING:
        return
    key = (call.op.removeprefix("Untag").removeprefix("Tag"), call.params.get(CONFLICTING[call.op]))
    with FACTS.lock:
        if key in FACTS.iam_conflicts:
            return
        FACTS.iam_conflicts.add(key)
    fail(
        "ConcurrentModification",
        "The request was rejected because multiple requests to change this object were submitted simultaneously. "
        "Wait a few minutes and submit your request again.",
        409,
    )


def password_rules(call) -> None:
    """With no password policy, passwords follow IAM's defaults."""
    if not call.profile.password_policy_defaults:
        return
    if call.op not in ("CreateLoginProfile", "UpdateLoginProfile", "ChangePassword"):
        return
    password = call.params.get("Password") or call.params.get("NewPassword")
    if password is None or backend.iam(call).account_password_policy is not None:
        return
    classes = sum(
        bool(re.search(r, password)) for r in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]")
    )
    if len(password) < 8 or classes < 3:
        fail(
            "PasswordPolicyViolation",
            "Password should have a minimum length of 8 and include at least three of: uppercase letters, "
            "lowercase letters, numbers and symbols",
        )
