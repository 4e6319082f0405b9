//! HTTPS at the balancer: certificates imported into ACM by the test (self-signed, made with
//! openssl) found by `data "acm_certificate"`, one as the listener's default and one for SNI;
//! weighted forwarding to two target groups (blue/green, with group stickiness) and a rule on HTTP method and source
//! address. Each is checked in the account, the plan after apply is clean, weights and SNI
//! certificates change in place, and a domain without a certificate is an error at the block.

mod common;

use aws_sdk_elasticloadbalancingv2::types::ProtocolEnum;
use common::elb::*;
use common::*;

fn stack(site: &str, api: &str, weights: (i32, i32), sni: bool) -> String {
    let (blue, green) = weights;
    // With the SNI certificate, clients also stay on their group for an hour.
    let extra =
        if sni { "    certificates = [data.acm_certificate.api.arn]\n    forward_stickiness = 3600\n" } else { "" };
    format!(
        "{}data \"acm_certificate\" \"site\" {{ domain = \"{site}\" }}\n\
         data \"acm_certificate\" \"api\" {{ domain = \"{api}\" }}\n\
         target_group \"blue\" {{\n  vpc = vpc.v\n  port = 80\n}}\n\
         target_group \"green\" {{\n  vpc = vpc.v\n  port = 8080\n}}\n\
         load_balancer \"web\" {{\n  subnets = [subnet.a, subnet.b]\n  security_groups = [security_group.lb]\n\
         \x20 listener {{\n    port = 80\n    redirect {{\n      protocol = \"HTTPS\"\n      port = \"443\"\n    }}\n  }}\n\
         \x20 listener {{\n    port = 443\n    protocol = \"HTTPS\"\n    certificate = data.acm_certificate.site.arn\n{extra}\
         \x20   forward_to {{\n      target_group = target_group.blue\n      weight = {blue}\n    }}\n\
         \x20   forward_to {{\n      target_group = target_group.green\n      weight = {green}\n    }}\n\
         \x20   rule {{\n      priority = 10\n      method = [\"GET\", \"HEAD\"]\n      source_ip = [\"10.0.0.0/8\"]\n      forward = target_group.green\n    }}\n\
         \x20 }}\n}}\n",
        network(98)
    )
}

#[tokio::test]
async fn https_with_acm_certificates_sni_and_weighted_forwarding() {
    let c = Case::new("https").await;
    let (site, api) = (format!("{}.example.com", c.name), format!("api.{}.example.com", c.name));
    let (site_arn, api_arn) = (import_certificate(&site).await, import_certificate(&api).await);
    c.apply(&stack(&site, &api, (80, 20), true), &["# load_balancer.web will be created", "forward_to"]);

    let lb = c.balancer().await;
    let ls = c.listeners(&lb).await;
    let https = ls.iter().find(|l| l.port() == Some(443)).expect("an HTTPS listener");
    assert_eq!(https.protocol(), Some(&ProtocolEnum::Https));
    assert_eq!(https.certificates()[0].certificate_arn(), Some(site_arn.as_str()));
    let arn = https.listener_arn().unwrap();
    let certs = c.elb.describe_listener_certificates().listener_arn(arn).send().await.unwrap();
    let listed: Vec<(Option<&str>, Option<bool>)> =
        certs.certificates().iter().map(|c| (c.certificate_arn(), c.is_default())).collect();
    assert!(listed.contains(&(Some(site_arn.as_str()), Some(true))), "{listed:?}");
    assert!(listed.contains(&(Some(api_arn.as_str()), Some(false))), "{listed:?}");
    let weights = |l: &aws_sdk_elasticloadbalancingv2::types::Listener| {
        let f = l.default_actions()[0].forward_config().expect("a weighted forward");
        let mut w: Vec<i32> = f.target_groups().iter().filter_map(|t| t.weight()).collect();
        w.sort();
        w
    };
    assert_eq!(weights(https), vec![20, 80]);
    let sticky = https.default_actions()[0].forward_config().and_then(|f| f.target_group_stickiness_config());
    assert_eq!(sticky.and_then(|s| s.enabled()), Some(true), "{sticky:?}");
    assert_eq!(sticky.and_then(|s| s.duration_seconds()), Some(3600));
    let rules = c.rules(https).await;
    let kinds: Vec<&str> = rules[0].conditions().iter().filter_map(|c| c.field()).collect();
    assert!(kinds.contains(&"http-request-method") && kinds.contains(&"source-ip"), "{kinds:?}");
    let method = rules[0].conditions().iter().find_map(|c| c.http_request_method_config()).unwrap();
    assert_eq!(method.values(), ["GET", "HEAD"]);

    // Blue/green: shift the weights and drop the SNI certificate, in place.
    c.apply(&stack(&site, &api, (50, 50), false), &["# load_balancer.web will be updated in-place"]);
    let lb = c.balancer().await;
    let ls = c.listeners(&lb).await;
    let https = ls.iter().find(|l| l.port() == Some(443)).unwrap();
    assert_eq!(weights(https), vec![50, 50]);
    let sticky = https.default_actions()[0].forward_config().and_then(|f| f.target_group_stickiness_config());
    assert_ne!(sticky.and_then(|s| s.enabled()), Some(true), "stickiness is off again: {sticky:?}");
    let certs = c.elb.describe_listener_certificates().listener_arn(https.listener_arn().unwrap()).send().await;
    assert!(certs.unwrap().certificates().iter().all(|c| c.is_default() == Some(true)), "the SNI certificate is gone");
    c.destroy().await;
}

#[tokio::test]
async fn a_domain_without_a_certificate_is_an_error_at_the_block() {
    let c = Case::new("nocert").await;
    let body = "data \"acm_certificate\" \"site\" {\n  domain = \"nothing.invalid\"\n}\n";
    let run = stackr(&["plan", "-f", &c.write(body)]).expect(1);
    assert!(run.stderr.contains("no ACM certificate for the domain \"nothing.invalid\" is ISSUED"), "{}", run.stderr);
    assert!(run.stderr.contains("stack.hcl:2:"), "{}", run.stderr);
}
