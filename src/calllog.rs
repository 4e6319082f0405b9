//! `-v` logging of AWS calls: one line per operation with its service, name, HTTP status and
//! duration, from an SDK interceptor shared by every client. Counting these lines is how the
//! "one call per kind" discovery claim is checked against a real run.

use std::time::Instant;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

#[derive(Debug)]
pub struct CallLog;

#[derive(Debug, Clone)]
struct Started(Instant);

impl Storable for Started {
    type Storer = StoreReplace<Self>;
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "stackr::CallLog"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(Started(Instant::now()));
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let elapsed = cfg.load::<Started>().map(|s| s.0.elapsed().as_millis()).unwrap_or_default();
        let (service, op) = cfg.load::<Metadata>().map_or(("?", "?"), |m| (m.service(), m.name()));
        let status = context.response().map_or_else(|| "no response".to_string(), |r| r.status().as_u16().to_string());
        tracing::debug!(target: "stackr::aws", "{service}.{op} -> {status} in {elapsed}ms");
        Ok(())
    }
}
