//! How every command prints: an aligned table for people, or JSON for scripts (`--output json`).
use clap::ValueEnum;

/// Output format.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Table,
    Json,
}

impl Output {
    /// Prints `rows` under `header` as a table, or `json` as JSON.
    pub fn print(self, header: &[&str], rows: &[Vec<String>], json: &impl serde::Serialize) {
        match self {
            Output::Json => println!("{}", serde_json::to_string_pretty(json).unwrap_or_default()),
            Output::Table => print!("{}", table(header, rows)),
        }
    }
}

/// An audit verdict as the report shows it.
pub fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "FAIL"
    }
}

/// Columns padded to their widest cell (by characters); the last column is not padded.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let head: Vec<String> = header.iter().map(|h| h.to_uppercase()).collect();
    let all: Vec<&Vec<String>> = std::iter::once(&head).chain(rows).collect();
    let widths: Vec<usize> = (0..header.len()).map(|i| all.iter().map(|r| r.get(i).map_or(0, |c| c.chars().count())).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in all {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let pad = if i + 1 == row.len() { 0 } else { widths.get(i).copied().unwrap_or(0).saturating_sub(cell.chars().count()) };
                format!("{cell}{}", " ".repeat(pad))
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns_by_characters() {
        let rows = vec![vec!["token".to_string(), "supply ≤ capacity".to_string(), "PASS".to_string()], vec!["escrow".into(), "x".into(), "FAIL".into()]];
        assert_eq!(table(&["area", "check", "result"], &rows), "AREA    CHECK              RESULT\ntoken   supply ≤ capacity  PASS\nescrow  x                  FAIL\n");
        assert_eq!((verdict(true), verdict(false)), ("PASS", "FAIL"));
    }
}
