//! Five-field Unix cron expressions, as Auto Scaling's scheduled actions take them
//! (`minute hour day-of-month month day-of-week`, in UTC). Each field is a comma-separated
//! list of `*`, a value, a range `a-b`, each optionally with a step `/n`; months and weekdays
//! may be written as names (`JAN`, `MON`).

const MONTHS: &[&str] = &["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

struct Field {
    name: &'static str,
    lo: u32,
    hi: u32,
    /// Names standing for lo, lo+1, …
    names: &'static [&'static str],
}

const FIELDS: [Field; 5] = [
    Field { name: "minute", lo: 0, hi: 59, names: &[] },
    Field { name: "hour", lo: 0, hi: 23, names: &[] },
    Field { name: "day of month", lo: 1, hi: 31, names: &[] },
    Field { name: "month", lo: 1, hi: 12, names: MONTHS },
    // 7 is Sunday too, as in most crons.
    Field { name: "day of week", lo: 0, hi: 7, names: DAYS },
];

/// What is wrong with a cron expression, or `None` when it is one.
pub fn problem(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() != 5 {
        return Some(format!(
            "is not a cron expression: it has {} field(s), cron has 5 (minute hour day month weekday, e.g. \"0 22 * * *\")",
            parts.len()
        ));
    }
    parts
        .iter()
        .zip(FIELDS.iter())
        .find_map(|(p, f)| field(p, f).map(|why| format!("has an invalid {}: {why}", f.name)))
}

fn field(text: &str, f: &Field) -> Option<String> {
    text.split(',').find_map(|item| item_problem(item, f))
}

fn item_problem(item: &str, f: &Field) -> Option<String> {
    let (base, step) = match item.split_once('/') {
        Some((b, s)) => (b, Some(s)),
        None => (item, None),
    };
    if let Some(s) = step
        && !s.parse::<u32>().is_ok_and(|n| n >= 1 && n <= f.hi)
    {
        return Some(format!("`{item}` has step `{s}`, which must be a number from 1 to {}", f.hi));
    }
    if base == "*" {
        return None;
    }
    let (lo, hi) = match base.split_once('-') {
        Some((a, b)) => (value(a, f), value(b, f)),
        None => (value(base, f), value(base, f)),
    };
    match (lo, hi) {
        (Some(a), Some(b)) if a <= b => None,
        (Some(_), Some(_)) => Some(format!("the range `{base}` runs backwards")),
        _ => Some(format!("`{item}` is not a value from {} to {}{}", f.lo, f.hi, names_hint(f))),
    }
}

fn names_hint(f: &Field) -> String {
    match f.names.first() {
        Some(first) => format!(" or a name such as {first}"),
        None => String::new(),
    }
}

fn value(s: &str, f: &Field) -> Option<u32> {
    if let Some(i) = f.names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
        return Some(f.lo + i as u32);
    }
    s.parse::<u32>().ok().filter(|n| (f.lo..=f.hi).contains(n) && s.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn accepts_unix_cron() {
        for ok in
            ["0 22 * * *", "*/15 * * * *", "30 0 1 1,6,12 *", "0 8 * * MON-FRI", "0 0 1-15/2 jan-jun 0", "5 4 * * 7"]
        {
            assert_eq!(problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn rejects_what_is_not_cron() {
        for bad in ["every day", "0 22 * *", "0 22 * * * *", "60 * * * *", "0 24 * * *", "0 0 0 * *", "0 0 * 13 *"] {
            assert!(problem(bad).is_some(), "{bad}");
        }
        for bad in ["*/0 * * * *", "5-1 * * * *", "0 0 * * FUN", "rate(5 minutes)", "@daily"] {
            assert!(problem(bad).is_some(), "{bad}");
        }
        assert_eq!(problem("0 24 * * *").unwrap(), "has an invalid hour: `24` is not a value from 0 to 23");
    }
}
