//! The formatter on snippets. Expected outputs were checked against `terraform fmt` 1.11
//! (on a copy named `.tf`), except where a test says stackr goes further.

use super::format_source;

fn fmt(src: &str) -> String {
    let out = format_source("t.hcl", src).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(format_source("t.hcl", &out).unwrap(), out, "formatting is not idempotent");
    out
}

#[track_caller]
fn same(src: &str) {
    assert_eq!(fmt(src), src);
}

#[test]
fn aligns_a_run_of_one_line_attributes() {
    assert_eq!(
        fmt("vpc \"main\" {\ncidr = \"10.0.0.0/16\"\nenable_dns_hostnames=true\n   tags   =   {}\n}\n"),
        "vpc \"main\" {\n  cidr                 = \"10.0.0.0/16\"\n  enable_dns_hostnames = true\n  tags                 = {}\n}\n"
    );
}

#[test]
fn a_blank_line_a_comment_line_a_block_or_a_multi_line_value_ends_a_run() {
    same("x {\n  a = 1\n\n  long_name = 2\n}\n");
    same("x {\n  a = 1\n  # about b\n  long_name = 2\n}\n");
    same("x {\n  a = 1\n  inner {\n    b = 2\n  }\n  long_name = 2\n}\n");
    same("x {\n  a = [\n    1,\n  ]\n  long_name = 2\n}\n");
    // A heredoc counts as one line, as in Terraform: its attribute stays in the run.
    same("x {\n  a         = <<EOT\nhello\nEOT\n  long_name = 2\n}\n");
}

#[test]
fn indents_nested_blocks_two_spaces_a_level() {
    assert_eq!(
        fmt("route_table \"public\" {\nvpc = vpc.main\n\t\troute {\n\t\tcidr = \"0.0.0.0/0\"\n}\n}\n"),
        "route_table \"public\" {\n  vpc = vpc.main\n  route {\n    cidr = \"0.0.0.0/0\"\n  }\n}\n"
    );
}

#[test]
fn one_space_around_operators_none_inside_brackets() {
    assert_eq!(fmt("a=[for x in [1,2,3]: x*2 if x>1]\n"), "a = [for x in [1, 2, 3] : x * 2 if x > 1]\n");
    assert_eq!(fmt("b = {for k,v in var.m: k=>v...}\n"), "b = { for k, v in var.m : k => v... }\n");
    assert_eq!(fmt("c = ! var.flag\n"), "c = !var.flag\n");
    assert_eq!(fmt("d = - var.n\n"), "d = -var.n\n");
    assert_eq!(fmt("e = var.n - 1\n"), "e = var.n - 1\n");
    assert_eq!(fmt("f = cidrsubnet( local.cidr , 8,1 )\n"), "f = cidrsubnet(local.cidr, 8, 1)\n");
    assert_eq!(fmt("g = var.list [0]\n"), "g = var.list[0]\n");
    assert_eq!(fmt("h = 1==2 ? \"a\":\"b\"\n"), "h = 1 == 2 ? \"a\" : \"b\"\n");
    assert_eq!(fmt("i = foo.bar[*] . baz\n"), "i = foo.bar[*].baz\n");
}

#[test]
fn one_line_objects_get_spaces_inside_braces() {
    assert_eq!(fmt("tags = {Name=\"web\",Env = \"x\"}\n"), "tags = { Name = \"web\", Env = \"x\" }\n");
    assert_eq!(fmt("a = { }\n"), "a = {}\n");
    assert_eq!(fmt("lifecycle {prevent_destroy = true}\n"), "lifecycle { prevent_destroy = true }\n");
    assert_eq!(fmt("p = tomap({a=1})\n"), "p = tomap({ a = 1 })\n");
}

#[test]
fn multi_line_objects_align_their_keys() {
    assert_eq!(
        fmt("tags = {\nName = \"web\"\nEnvironment = \"prod\"\n\nx = 1\n}\n"),
        "tags = {\n  Name        = \"web\"\n  Environment = \"prod\"\n\n  x = 1\n}\n"
    );
    // A nested multi-line value is not part of the run; a one-line one is.
    assert_eq!(
        fmt("m = {\na = { x = 1 }\nbbb = 2\nc = [\n1,\n]\nd = 3\n}\n"),
        "m = {\n  a   = { x = 1 }\n  bbb = 2\n  c = [\n    1,\n  ]\n  d = 3\n}\n"
    );
}

#[test]
fn trailing_comments_line_up_and_are_kept() {
    assert_eq!(
        fmt("x {\nregion=var.region # the region\n  iam_home_region  =  \"us-east-1\"   // where IAM lives\n}\n"),
        "x {\n  region          = var.region  # the region\n  iam_home_region = \"us-east-1\" // where IAM lives\n}\n"
    );
    same("# a comment, as written:   spaces  inside  stay\n/* a block\n     comment */\na = 1 /* inline */\n");
}

#[test]
fn heredocs_keep_their_text() {
    same(
        "x {\n  user_data = <<-EOT\n    #!/bin/sh\n      echo   \"${var.x}\"   \n    echo done\n  EOT\n  ami       = \"ami-1\"\n}\n",
    );
    same("d = <<EOT\nraw ${var.a}\n  indented\n\n\nEOT\n");
}

#[test]
fn templates_keep_their_text_and_tidy_interpolations() {
    assert_eq!(
        fmt("f = \"${ var.a }-%{if var.b}yes%{ else }no%{endif}\"\n"),
        "f = \"${var.a}-%{if var.b}yes%{else}no%{endif}\"\n"
    );
    same("g = \"$${literal} and %%{literal}, \\\"quoted\\\"  spaces  \"\n");
    same("h = \"${var.region}a\"\n");
    // Terraform would unwrap this to `var.x`; stackr keeps the string conversion as written.
    same("i = \"${var.x}\"\n");
}

#[test]
fn blank_lines_collapse_and_the_file_ends_with_one_line_break() {
    // Beyond Terraform, which keeps runs of blank lines and the end of the file as they are.
    assert_eq!(fmt("\n\n# top\n\n\n\na = 1\n\n\nb {\n}\n\n\n"), "# top\n\na = 1\n\nb {\n}\n");
    assert_eq!(fmt("a = 1"), "a = 1\n");
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n"), "");
}

#[test]
fn no_trailing_spaces() {
    assert_eq!(fmt("a = 1   \nb {   \n}  \n# note   \n"), "a = 1\nb {\n}\n# note\n");
    assert_eq!(fmt("a = 1 # last   "), "a = 1 # last\n");
}

#[test]
fn variable_files_are_formatted_too() {
    assert_eq!(
        fmt("region=\"eu-west-1\"\ninstance_count = 2\n"),
        "region         = \"eu-west-1\"\ninstance_count = 2\n"
    );
}

#[test]
fn identifiers_may_hold_dashes_and_numbers_keep_their_form() {
    same("a = var.n-1\nb = 1.5e3\nc = foo.0.bar\n");
}

#[test]
fn crlf_line_breaks_stay() {
    assert_eq!(fmt("a=1\r\nbb = 2\r\n"), "a  = 1\r\nbb = 2\r\n");
}

#[test]
fn invalid_hcl_is_a_diagnostic_with_its_position() {
    let d = format_source("bad.hcl", "vpc \"main\" {\n  cidr = \n}\n").unwrap_err();
    let (file, line, col) = d.location().unwrap();
    assert_eq!((file.as_str(), line, col), ("bad.hcl", 2, 10));
    assert!(d.message.contains("bad.hcl is not valid HCL"), "{}", d.message);
    assert!(format_source("bad.hcl", "a = \"open\n").is_err());
}

#[test]
fn the_repository_stacks_are_formatted() {
    for f in ["network", "web", "compute", "alb"] {
        let path = format!("{}/stacks/{f}.hcl", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(fmt(&text), text, "{path} is not formatted: run `stackr fmt stacks`");
    }
}

/// A file of awkward layout, and what `terraform fmt` 1.11 makes of it.
const AWKWARD: &str = r#"iam_role "r" {
  trust = jsonencode({
      Version = "2012-10-17"
    Statement = [{
      Effect = "Allow",
      Principal = { Service = "ec2.amazonaws.com" }
        Action = "sts:AssumeRole"
    }]
  })
  policies = [
    for s in var.list :
    s if s != ""
  ]
  x = (var.a
    ? 1
  : 2)
  y = merge(
    { a = 1 },
      var.extra,
  )
  z = { # comment after brace
    k = "v" # trailing
    long_key = "w"  # trailing 2
  }
  w = [ # c
  1, 2,
    3]
  n = var.list[ 0 ][ "k" ]
  q = "a" # x
  qq = ["a","b"] // y
  sp = [ "a" , "b" ]
  neg = [-1, - 2, 3 - 1, var.x * -1]
  ell = f(var.list...)
  tpl = "%{ for x in var.l }${x},%{ endfor }"
  splat = aws.foo.*.id
  lbl = "${var.x}${var.y}"
  user_data = <<-EOT
    #!/bin/sh
      echo "${ var.x }"   
  EOT
}
empty {}
"#;
const AWKWARD_BY_TERRAFORM: &str = r#"iam_role "r" {
  trust = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow",
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  policies = [
    for s in var.list :
    s if s != ""
  ]
  x = (var.a
    ? 1
  : 2)
  y = merge(
    { a = 1 },
    var.extra,
  )
  z = {            # comment after brace
    k        = "v" # trailing
    long_key = "w" # trailing 2
  }
  w = [ # c
    1, 2,
  3]
  n         = var.list[0]["k"]
  q         = "a"        # x
  qq        = ["a", "b"] // y
  sp        = ["a", "b"]
  neg       = [-1, -2, 3 - 1, var.x * -1]
  ell       = f(var.list...)
  tpl       = "%{for x in var.l}${x},%{endfor}"
  splat     = aws.foo.*.id
  lbl       = "${var.x}${var.y}"
  user_data = <<-EOT
    #!/bin/sh
      echo "${var.x}"   
  EOT
}
empty {}
"#;

#[test]
fn matches_terraform_on_an_awkward_file() {
    assert_eq!(fmt(AWKWARD), AWKWARD_BY_TERRAFORM);
}

#[test]
fn unquoted_block_labels_stay_unquoted() {
    // Terraform would write `"label"`; stackr changes only spaces and blank lines.
    same("block label {\n}\n");
}
