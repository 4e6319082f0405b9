//! The [`Kind`] trait every resource kind implements, the context its calls get ([`Cx`]) and
//! what its discovery returns ([`Found`]). The pure hooks have defaults that do nothing, so a
//! kind declares only the rules AWS imposes on it.

use std::sync::Arc;

use async_trait::async_trait;

use super::{adopt, claims};
use crate::aws::Aws;
use crate::model::{Address, Attrs, LiveObject, Schema};
use crate::stack::{Diagnostics, Resource, Stack};

/// What a kind's calls need: the clients and the stack they act for.
#[derive(Clone)]
pub struct Cx {
    pub aws: Aws,
    pub stack: Arc<str>,
    /// Ids of the objects the stack owned when the account was read: an object found by its
    /// ownership tags after a lost create answer is the new one only if it is not among them
    /// (the object a create-first replacement replaces carries the same tags).
    pub known: Arc<std::collections::HashSet<String>>,
    /// The ARN of the stack's record ([`crate::account::record`]), once it exists.
    pub record: Option<Arc<str>>,
    /// The names the stack's blocks claim ([`claims::declared`]): discovery looks up only these
    /// to find a name another owner holds.
    pub declared: Arc<claims::Declared>,
}

/// What discovery found for one kind.
#[derive(Debug, Default)]
pub struct Found {
    /// Objects this stack owns.
    pub owned: Vec<LiveObject>,
    /// Declared names held by objects the stack does not own, where AWS makes names unique.
    pub foreign_names: Vec<String>,
    /// The same for objects a kind makes besides its own (a role's instance profile), by the
    /// namespace [`Kind::side_claims`] names.
    pub foreign_side: Vec<(&'static str, String)>,
    /// Ids of owned objects found only by looking up a declared name: the kind's listing does
    /// not show them yet (it lags behind creates), so apply's settle step keeps waiting for it.
    pub unlisted: Vec<String>,
}

/// One kind of AWS object. Methods other than the four async ones are pure: the planner calls
/// them without I/O.
#[async_trait]
pub trait Kind: Send + Sync + 'static {
    fn schema(&self) -> &'static Schema;

    /// Fills defaults that depend on the stack; by default the `Name` tag (names.rs).
    fn complete(&self, stack: &str, addr: &Address, attrs: &mut Attrs) {
        super::names::default_tag(stack, addr, attrs);
    }

    /// Checks that need other resources of the stack (a subnet inside its VPC's range, …).
    fn validate(&self, _res: &Resource, _stack: &Stack, _diags: &mut Diagnostics) {}

    /// Brings attributes to canonical form; applied to desired (after references are resolved)
    /// and live attributes alike, so equal configurations compare equal.
    fn canonical(&self, _attrs: &mut Attrs) {}

    /// Reconciles what cannot be compared as is, before comparing: where the stack's value is
    /// only a floor, what AWS chose is accepted (an account that encrypts EBS by default
    /// encrypts a volume asked to be unencrypted; replacing it would only make another), and
    /// settings that are stackr's own, not AWS's, are read as the stack gives them.
    fn accept_live(&self, _live: &mut Attrs, _want: &mut Attrs) {}

    /// Objects of this kind that the deletion of what these attributes refer to frees by
    /// itself: when both go, the referent goes first (terminating an instance detaches its
    /// volumes and Elastic IPs, where detaching first could wait on a busy device).
    fn freed_by_deleting(&self) -> &'static [&'static str] {
        &[]
    }

    /// For kinds whose replacement must exist before the old object goes while something that
    /// stays refers to it (see plan/replace_first.rs): `Some(Ok)` to make it first,
    /// `Some(Err(why))` when the new object cannot exist beside the old one.
    fn replace_first(&self, _live: &Attrs, _after: &Attrs) -> Option<Result<(), String>> {
        None
    }

    /// Reference attributes an object of this kind cannot let go of while it stays, not even
    /// for a moment (an instance's security groups, a load balancer's subnets): what they
    /// refer to is replaced by making the new one first.
    fn must_hold(&self) -> &'static [&'static str] {
        &[]
    }

    /// Computed attributes an update changes (a launch template's default version, when what
    /// it launches changes): unknown in the plan until apply.
    fn recomputed(&self, _changed: &[String]) -> &'static [&'static str] {
        &[]
    }

    /// Work AWS is still doing on `live` that apply must wait for (an Auto Scaling group's
    /// rolling update left running by an interrupted apply): the plan shows an update with
    /// this note even when nothing else differs.
    fn pending(&self, _live: &Attrs) -> Option<String> {
        None
    }

    /// What an update does beyond setting attributes, for the plan to say ("4 instances will
    /// be replaced by a rolling update").
    fn update_note(&self, _live: &Attrs, _after: &Attrs, _changed: &[String]) -> Option<String> {
        None
    }

    /// In-place attributes whose change from `live` to `want` AWS can only make by replacing
    /// the object (a network load balancer's subnets removed, its security groups added where
    /// it had none): the plan replaces it, naming them.
    fn forces(&self, _live: &Attrs, _want: &Attrs) -> Vec<&'static str> {
        vec![]
    }

    /// Refuses a change AWS cannot make (shrinking a volume), as a plan error.
    fn check_update(&self, _before: &Attrs, _after: &Attrs) -> Option<String> {
        None
    }

    /// Resources this one must wait for without referring to them in the file (an Auto
    /// Scaling group waits for the listener that forwards to its target group).
    fn implied_deps(&self, _res: &Resource, _stack: &Stack) -> Vec<Address> {
        vec![]
    }

    /// Kinds whose deletes in the same apply go first, where the account holds no reference
    /// to say so (the internet gateway is detached after everything with a public address).
    fn deleted_after(&self) -> &'static [&'static str] {
        &[]
    }

    /// A warning for the plan when it creates this object: the account password policy set
    /// where the account had none may be weaker than IAM's rules without one.
    /// Returns the warning and what to do about it.
    fn create_warning(&self, _want: &Attrs) -> Option<(String, String)> {
        None
    }

    /// Objects of this kind may hold data (a volume, an address others know, a running
    /// instance): never deleted automatically when a duplicate turns up.
    fn holds_data(&self) -> bool {
        false
    }

    /// What deleting an object of this kind also removes, for the plan to say.
    fn delete_note(&self) -> Option<&'static str> {
        None
    }

    /// What deleting `live` does first, for the plan's delete or replace line ("a snapshot is
    /// taken first"); `live` as the delete will see it.
    fn destroy_note(&self, _live: &Attrs) -> Option<String> {
        None
    }

    /// Settings of stackr's own that a delete reads from the object (a volume's
    /// `snapshot_before_destroy`): when the object is replaced, the delete goes by the stack's
    /// value instead, the user's word now.
    fn delete_settings(&self) -> &'static [&'static str] {
        &[]
    }

    /// What the plan refuses to create after looking at the account (a volume from a snapshot
    /// it cannot hold): the attribute at fault and why.
    async fn check_create(&self, _cx: &Cx, _want: &Attrs) -> anyhow::Result<Option<(&'static str, String)>> {
        Ok(None)
    }

    /// The account-unique name a create would claim, where AWS enforces one.
    fn unique_name(&self, _attrs: &Attrs) -> Option<String> {
        None
    }

    /// Account-unique names of objects this kind makes besides its own, with their namespace
    /// and the attribute that asks for them (a role's instance profile: `("instance profile",
    /// NAME, "instance_profile")`).
    fn side_claims(&self, _attrs: &Attrs) -> Vec<(&'static str, String, &'static str)> {
        vec![]
    }

    /// What deleting `live` would destroy that the stack did not make (a user's access keys
    /// made by hand): a plan deleting it is refused unless its `force_destroy` is set.
    async fn lost_on_delete(&self, _cx: &Cx, _live: &LiveObject) -> anyhow::Result<Vec<String>> {
        Ok(vec![])
    }

    /// Lists the objects this stack owns, with one filtered, paginated call where AWS allows.
    async fn read(&self, cx: &Cx) -> anyhow::Result<Found>;

    /// Creates the object with ownership marks set at creation; returns its attributes
    /// (including computed ones such as `id`).
    async fn create(&self, cx: &Cx, addr: &Address, want: &Attrs) -> anyhow::Result<Attrs>;

    /// Changes `live` in place to match `want` (only attributes the schema marks in-place
    /// differ); returns the new attributes.
    async fn update(&self, cx: &Cx, live: &LiveObject, want: &Attrs) -> anyhow::Result<Attrs>;

    /// Deletes the object, first removing whatever AWS requires gone before deletion.
    async fn delete(&self, cx: &Cx, live: &LiveObject) -> anyhow::Result<()>;

    /// Why an object of this kind cannot change address (a `moved` block), if it cannot: the
    /// plan refuses the move at the block.
    fn move_refusal(&self) -> Option<String> {
        None
    }

    /// Records `addr` as the address of `live`, an object the stack already owns: what a
    /// `moved` block does at apply. The marks are those adopting sets, so each family rewrites
    /// its own (the `stackr:address` tag of EC2, ELB and Auto Scaling objects, the IAM path of
    /// users and groups) and no kind needs its own copy.
    async fn rehome(&self, cx: &Cx, live: &LiveObject, addr: &Address) -> anyhow::Result<()> {
        self.take_ownership(cx, addr, live).await
    }

    /// Why objects of this kind cannot be adopted, if they cannot; checked before any AWS call.
    fn adopt_refusal(&self) -> Option<String> {
        None
    }

    /// The object AWS knows as `id` (or by name, where AWS names are unique), whoever owns it,
    /// with attributes as `read` gives them; `None` when there is no such object.
    async fn describe(&self, _cx: &Cx, _id: &str) -> anyhow::Result<Option<adopt::Described>> {
        anyhow::bail!("adopting a {} is not supported", self.schema().kind)
    }

    /// Makes `live` this stack's object at `addr` with the marks a create would have set: by
    /// default the EC2 ownership tags; other kinds add their own tags or move to the IAM path.
    async fn take_ownership(&self, cx: &Cx, addr: &Address, live: &LiveObject) -> anyhow::Result<()> {
        adopt::ec2_take(cx, addr, &[live.id.as_str()]).await
    }
}
