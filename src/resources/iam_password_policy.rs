//! `iam_password_policy`: the account's password policy, a singleton written without a name
//! (`iam_password_policy { … }`). It cannot carry an ownership mark, so the stack's record says
//! whether the stack owns it: a stack that created it (or adopted it with `stackr adopt`) owns
//! it and deletes it when the block goes or the stack is destroyed; a policy set before is
//! never taken over by declaring the block (the plan shows its rules and asks for an adopt).

use async_trait::async_trait;

use super::{Cx, Found, Kind};
use crate::aws;
use crate::model::*;

pub struct IamPasswordPolicy;

static SCHEMA: Schema = Schema {
    kind: "iam_password_policy",
    doc: "The account's IAM password policy (one per account; an existing one is adopted with `stackr adopt`).",
    ref_attr: "id",
    singleton: true,
    attrs: &[
        attr("minimum_length", Ty::Int, Presence::Default(Lit::Int(6)), Update::InPlace, "Minimum password length.")
            .with(&[Check::Range(6, 128)]),
        attr(
            "require_uppercase",
            Ty::Bool,
            Presence::Default(Lit::Bool(false)),
            Update::InPlace,
            "Require an uppercase letter.",
        ),
        attr(
            "require_lowercase",
            Ty::Bool,
            Presence::Default(Lit::Bool(false)),
            Update::InPlace,
            "Require a lowercase letter.",
        ),
        attr("require_numbers", Ty::Bool, Presence::Default(Lit::Bool(false)), Update::InPlace, "Require a number."),
        attr("require_symbols", Ty::Bool, Presence::Default(Lit::Bool(false)), Update::InPlace, "Require a symbol."),
        attr(
            "allow_users_to_change_password",
            Ty::Bool,
            Presence::Default(Lit::Bool(false)),
            Update::InPlace,
            "Let users change their own password.",
        ),
        attr(
            "max_age_days",
            Ty::Int,
            Presence::Default(Lit::Null),
            Update::InPlace,
            "Days before a password expires (default: never).",
        )
        .with(&[Check::Range(1, 1095)]),
        attr(
            "reuse_prevention",
            Ty::Int,
            Presence::Default(Lit::Null),
            Update::InPlace,
            "How many previous passwords cannot be reused (default: no limit).",
        )
        .with(&[Check::Range(1, 24)]),
        attr(
            "hard_expiry",
            Ty::Bool,
            Presence::Default(Lit::Bool(false)),
            Update::InPlace,
            "Expired passwords need an administrator to reset them.",
        ),
        computed("id", "Always `account`."),
    ],
};

#[async_trait]
impl Kind for IamPasswordPolicy {
    fn schema(&self) -> &'static Schema {
        &SCHEMA
    }

    fn complete(&self, _stack: &str, _addr: &Address, _attrs: &mut Attrs) {}

    fn create_warning(&self, want: &Attrs) -> Option<(String, String)> {
        let why = weaker_than_no_policy(want)?;
        Some((why, "set minimum_length to 8 or more and require at least three of the classes to keep them".into()))
    }

    async fn describe(&self, cx: &Cx, id: &str) -> anyhow::Result<Option<super::adopt::Described>> {
        if id != "account" {
            anyhow::bail!("the password policy is the account's: adopt it as `iam_password_policy=account`");
        }
        let Some(live) = self.read(cx).await?.owned.pop() else { return Ok(None) };
        let owner = crate::account::record::password_policy_owner(&cx.aws).await?;
        let owner = owner.map(|stack| super::adopt::Owner { stack, addr: live.addr.to_string() });
        Ok(Some(super::adopt::Described { owner, live }))
    }

    fn move_refusal(&self) -> Option<String> {
        Some("the account password policy is one per account, always at iam_password_policy.account".into())
    }

    async fn take_ownership(&self, cx: &Cx, _addr: &Address, _live: &LiveObject) -> anyhow::Result<()> {
        crate::account::record::own_password_policy(&cx.aws, record(cx)?, true).await
    }

    async fn read(&self, cx: &Cx) -> anyhow::Result<Found> {
        let policy = match cx.aws.iam.get_account_password_policy().send().await.map_err(aws::error) {
            Ok(out) => out.password_policy,
            // No policy set: the account uses IAM's defaults.
            Err(e) if e.code.as_deref() == Some("NoSuchEntity") => None,
            Err(e) => return Err(e.into()),
        };
        let Some(p) = policy else { return Ok(Found::default()) };
        let int = |v: Option<i32>| v.filter(|n| *n > 0).map_or(Value::Null, |n| Value::Int(n.into()));
        let attrs = Attrs::from([
            ("minimum_length".into(), int(p.minimum_password_length())),
            ("require_uppercase".into(), Value::Bool(p.require_uppercase_characters())),
            ("require_lowercase".into(), Value::Bool(p.require_lowercase_characters())),
            ("require_numbers".into(), Value::Bool(p.require_numbers())),
            ("require_symbols".into(), Value::Bool(p.require_symbols())),
            ("allow_users_to_change_password".into(), Value::Bool(p.allow_users_to_change_password())),
            ("max_age_days".into(), int(p.max_password_age())),
            ("reuse_prevention".into(), int(p.password_reuse_prevention())),
            ("hard_expiry".into(), Value::Bool(p.hard_expiry().unwrap_or(false))),
            ("id".into(), Value::str("account")),
        ]);
        let addr = Address::new("iam_password_policy", "account");
        Ok(Found { owned: vec![LiveObject { addr, id: "account".into(), attrs }], ..Found::default() })
    }

    async fn create(&self, cx: &Cx, _addr: &Address, want: &Attrs) -> anyhow::Result<Attrs> {
        // Recorded first: a policy set without the mark would look like someone else's.
        crate::account::record::own_password_policy(&cx.aws, record(cx)?, true).await?;
        set(cx, want).await
    }

    async fn update(&self, cx: &Cx, _live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs> {
        set(cx, want).await
    }

    async fn delete(&self, cx: &Cx, _live: &LiveObject) -> anyhow::Result<()> {
        match cx.aws.iam.delete_account_password_policy().send().await.map_err(aws::error) {
            Ok(_) => {}
            Err(e) if e.code.as_deref() == Some("NoSuchEntity") => {}
            Err(e) => return Err(e.into()),
        }
        crate::account::record::own_password_policy(&cx.aws, record(cx)?, false).await
    }
}

/// The stack record's ARN; an apply makes the record before any change.
fn record(cx: &Cx) -> anyhow::Result<&str> {
    cx.record.as_deref().ok_or_else(|| anyhow::anyhow!("the stack has no record in the account yet"))
}

/// IAM's rules for an account without a password policy: at least 8 characters, and three of
/// the four character classes
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html).
const NO_POLICY_LENGTH: i64 = 8;
const NO_POLICY_CLASSES: usize = 3;

/// What a policy loses against the rules the account has without one, if anything: setting a
/// policy replaces those rules, and an attribute left out means AWS's policy default
/// (6 characters, no class required).
pub fn weaker_than_no_policy(want: &Attrs) -> Option<String> {
    let length = want.get("minimum_length").and_then(Value::as_int).unwrap_or(6);
    let classes = ["require_uppercase", "require_lowercase", "require_numbers", "require_symbols"]
        .iter()
        .filter(|k| want.get(**k).and_then(Value::as_bool) == Some(true))
        .count();
    if length >= NO_POLICY_LENGTH && classes >= NO_POLICY_CLASSES {
        return None;
    }
    Some(format!(
        "the account has no password policy, so IAM requires passwords of {NO_POLICY_LENGTH} characters with three of \
         uppercase, lowercase, numbers and symbols; this policy asks for {length} characters and {classes} of them, \
         which weakens the account's rules"
    ))
}

/// UpdateAccountPasswordPolicy replaces the whole policy; every attribute is sent.
async fn set(cx: &Cx, want: &Attrs) -> anyhow::Result<Attrs> {
    let int = |k: &str| want.get(k).and_then(Value::as_int).and_then(|v| i32::try_from(v).ok());
    let flag = |k: &str| want.get(k).and_then(Value::as_bool).unwrap_or(false);
    cx.aws
        .iam
        .update_account_password_policy()
        .set_minimum_password_length(int("minimum_length"))
        .require_uppercase_characters(flag("require_uppercase"))
        .require_lowercase_characters(flag("require_lowercase"))
        .require_numbers(flag("require_numbers"))
        .require_symbols(flag("require_symbols"))
        .allow_users_to_change_password(flag("allow_users_to_change_password"))
        .set_max_password_age(int("max_age_days"))
        .set_password_reuse_prevention(int("reuse_prevention"))
        .hard_expiry(flag("hard_expiry"))
        .send()
        .await
        .map_err(aws::error)?;
    Ok(super::with_computed(want, [("id", Value::str("account"))]))
}
