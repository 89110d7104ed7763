//! DynamoDB faults moto never produces, injected with an SDK interceptor: transaction
//! conflicts (two requests racing on one item) and throttling. The faulted request never
//! reaches the table (it is turned into a harmless DescribeLimits), so what the test sees
//! afterwards is exactly what Ferrokey wrote.

use crate::authenticator::SoftPasskey;
use crate::harness::{Backend, ORIGIN, serve};
use aws_sdk_dynamodb::config::interceptors::{
    BeforeDeserializationInterceptorContextMut, BeforeTransmitInterceptorContextMut,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_types::body::SdkBody;
use ferrokey_core::clock::OffsetClock;
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// Which fault to answer with.
#[derive(Debug, Clone, Copy)]
enum Fault {
    TransactionConflict,
    Throttling,
}

/// Replaces the answer to the next `remaining` calls of `operation` with `fault`.
#[derive(Debug, Clone)]
struct Injector {
    operation: Arc<Mutex<String>>,
    fault: Arc<Mutex<Fault>>,
    remaining: Arc<AtomicU32>,
    /// Set between transmit and deserialisation of a faulted call.
    faulting: Arc<AtomicBool>,
    injected: Arc<AtomicU32>,
}

impl Injector {
    fn new() -> Self {
        Injector {
            operation: Arc::new(Mutex::new(String::new())),
            fault: Arc::new(Mutex::new(Fault::Throttling)),
            remaining: Arc::new(AtomicU32::new(0)),
            faulting: Arc::new(AtomicBool::new(false)),
            injected: Arc::new(AtomicU32::new(0)),
        }
    }

    fn arm(&self, operation: &str, fault: Fault, times: u32) {
        *self.operation.lock().unwrap() = operation.to_string();
        *self.fault.lock().unwrap() = fault;
        self.injected.store(0, Ordering::SeqCst);
        self.remaining.store(times, Ordering::SeqCst);
    }
}

impl Intercept for Injector {
    fn name(&self) -> &'static str {
        "FaultInjector"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let request = context.request_mut();
        let target = request.headers().get("x-amz-target").unwrap_or_default().to_string();
        let wanted = format!("DynamoDB_20120810.{}", self.operation.lock().unwrap());
        let take = target == wanted
            && self
                .remaining
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
        self.faulting.store(take, Ordering::SeqCst);
        if take {
            // The real request must not happen: a harmless call goes out instead.
            request.headers_mut().insert("x-amz-target", "DynamoDB_20120810.DescribeLimits");
            *request.body_mut() = SdkBody::from("{}");
            request.headers_mut().insert("content-length", "2");
        }
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        if !self.faulting.swap(false, Ordering::SeqCst) {
            return Ok(());
        }
        self.injected.fetch_add(1, Ordering::SeqCst);
        let body = match *self.fault.lock().unwrap() {
            Fault::TransactionConflict => json!({
                "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                "message": "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]",
                "CancellationReasons": [{"Code": "None"}, {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}]
            }),
            Fault::Throttling => json!({
                "__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                "message": "Rate of requests exceeds the allowed throughput."
            }),
        };
        let response = context.response_mut();
        *response.status_mut() = 400u16.try_into().unwrap();
        *response.body_mut() = SdkBody::from(body.to_string());
        Ok(())
    }
}

/// A served app on DynamoDB whose client carries `injector`.
async fn app_with(injector: &Injector) -> crate::harness::TestApp {
    let clock = Arc::new(OffsetClock::default());
    let client = crate::moto::dynamodb(crate::moto::shared(), Some(injector.clone()));
    let table = crate::moto::unique_table();
    ferrokey_aws::create_table(&client, &table).await.unwrap();
    let store = ferrokey_aws::DynamoStore::new(client, table);
    let hasher =
        ferrokey_core::keys::KeyHasher::new(crate::harness::TEST_PEPPER.as_bytes().to_vec());
    let service = ferrokey_core::Service::new(Arc::new(store), clock.clone(), hasher);
    let dir = tempfile::tempdir().unwrap();
    serve(service, Default::default(), Backend::Dynamo, "faults", clock, dir).await
}

#[tokio::test]
async fn transaction_conflicts_are_retried_then_answered_503() {
    let injector = Injector::new();
    let app = app_with(&injector).await;
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "cara", json!({})).await;

    // Two conflicts: the completion is retried and succeeds, once.
    injector.arm("TransactWriteItems", Fault::TransactionConflict, 2);
    let done = app.signin(&mut passkey, json!({"userId": "cara"})).await;
    assert_eq!(injector.injected.load(Ordering::SeqCst), 2);
    let verified = app.verify(done.ok()["token"].as_str().unwrap()).await;
    assert_eq!(verified.ok()["userId"], "cara");

    // Conflicts every time: 503 with Retry-After, and nothing was written — the same session
    // completes once the contention is over.
    injector.arm("TransactWriteItems", Fault::TransactionConflict, 100);
    let begin = app.signin_begin(json!({"userId": "cara"})).await;
    let assertion = passkey.get(&begin.ok()["data"], ORIGIN);
    let session = begin.body["session"].as_str().unwrap().to_string();
    let busy = app.signin_complete(&session, assertion.clone()).await;
    busy.problem(503, Some("service_unavailable"));
    assert_eq!(busy.headers["retry-after"], "5");
    assert_eq!(injector.injected.load(Ordering::SeqCst), 4, "a bounded number of tries");
    injector.arm("TransactWriteItems", Fault::TransactionConflict, 0);
    let done = app.signin_complete(&session, assertion).await;
    app.verify(done.ok()["token"].as_str().unwrap()).await.ok();
}

#[tokio::test]
async fn throttling_is_answered_503_with_retry_after() {
    let injector = Injector::new();
    let app = app_with(&injector).await;
    // The SDK retries throttling itself (standard mode, 3 attempts); throttled every time.
    injector.arm("BatchWriteItem", Fault::Throttling, 100);
    let throttled = app.signin_begin(json!({})).await;
    throttled.problem(503, Some("service_unavailable"));
    assert_eq!(throttled.headers["retry-after"], "5");
    assert!(injector.injected.load(Ordering::SeqCst) >= 2, "the SDK retried");
    // Throttled once: the SDK's own retry absorbs it.
    injector.arm("BatchWriteItem", Fault::Throttling, 1);
    app.signin_begin(json!({})).await.ok();
    assert_eq!(injector.injected.load(Ordering::SeqCst), 1);
}
