//! Load-time errors of the TOML format: every problem located by sheet, row and column.

use shumari_forms::{check_form_source, Form, FormIssue};

fn check(body: &str) -> Vec<FormIssue> {
    let src = format!("[settings]\nform_id = \"t\"\nversion = \"1\"\n{body}");
    check_form_source("t.toml", src.as_bytes())
}

fn issues(v: &[FormIssue]) -> Vec<(usize, String, String)> {
    v.iter()
        .map(|i| (i.row, i.column.clone(), i.message.clone()))
        .collect()
}

fn one(body: &str) -> (usize, String, String) {
    let v = check(body);
    assert_eq!(v.len(), 1, "{v:?}");
    (v[0].row, v[0].column.clone(), v[0].message.clone())
}

const Q: &str = "[[survey]]\ntype = \"integer\"\nname = \"a\"\nlabel = \"A\"\n";

#[test]
fn located_errors() {
    let (row, col, msg) = one(&format!(
        "{Q}[[survey]]\ntype = \"barcod\"\nname = \"b\"\nlabel = \"B\"\n"
    ));
    assert_eq!(
        (row, col.as_str(), msg.as_str()),
        (
            3,
            "type",
            "unknown question type `barcod`; did you mean `barcode`?"
        )
    );
    let (_, col, msg) = one(&format!(
        "{Q}[[survey]]\ntype = \"text\"\nname = \"b\"\nlabel = \"B\"\nrelevant = \"${{a}} > \"\n"
    ));
    assert_eq!(col, "relevant");
    assert!(msg.contains("at character 8"), "{msg}");
    let (_, col, msg) = one(&format!(
        "{Q}[[survey]]\ntype = \"text\"\nname = \"a\"\nlabel = \"B\"\n"
    ));
    assert_eq!(
        (col.as_str(), msg.as_str()),
        ("name", "`a` is already used on row 2")
    );
    let (_, col, _) =
        one("[[survey]]\ntype = \"select_one nolist\"\nname = \"s\"\nlabel = \"S\"\n");
    assert_eq!(col, "type");
    let (_, col, msg) = one(&format!(
        "{Q}[[survey]]\ntype = \"text\"\nname = \"b\"\nlabel = \"B\"\nrelevant = \". > 1\"\n"
    ));
    assert_eq!(col, "relevant");
    assert!(msg.contains("only available in constraint"));
    // An appearance the app does not know is read past with a warning, as pyxform passes it on.
    let fancy = format!(
        "[settings]\nform_id = \"t\"\nversion = \"1\"\n{Q}[[survey]]\ntype = \"text\"\nname = \"b\"\nlabel = \"B\"\nappearance = \"fancy\"\n"
    );
    let c = shumari_forms::check_source("t.toml", fancy.as_bytes());
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(
        issues(&c.warnings),
        [(
            3,
            "appearance".to_string(),
            "appearance `fancy` is not honoured by the field app; the question is shown without \
             it (kept on export)"
                .to_string()
        )]
    );
    let (_, col, msg) = one("[[survey]]\ntype = \"calculate\"\nname = \"x\"\ncalculation = \"${y} + 1\"\n[[survey]]\ntype = \"calculate\"\nname = \"y\"\ncalculation = \"${x}\"\n");
    assert_eq!(col, "calculation");
    assert!(msg.contains("x → y → x"), "{msg}");
    let (_, col, _) = one("[[survey]]\ntype = \"text\"\nname = \"b\"\n\"label::Klingon (kl)\" = \"B\"\nlabel = \"B\"\n\"required::Urdu\" = \"yes\"\n");
    assert_eq!(col, "required::Urdu");
}

#[test]
fn structure_errors() {
    let (_, _, msg) = one("[[survey]]\ntype = \"begin_group\"\nname = \"g\"\n");
    assert!(msg.contains("never closed"));
    let (row, _, msg) = one("[[survey]]\ntype = \"end_repeat\"\n");
    assert_eq!((row, msg.as_str()), (2, "`end_repeat` without a begin"));
    let repeat = "[[survey]]\ntype = \"begin_repeat\"\nname = \"r\"\n[[survey]]\ntype = \"integer\"\nname = \"x\"\nlabel = \"X\"\n[[survey]]\ntype = \"end_repeat\"\n";
    let (row, col, msg) = one(&format!(
        "{repeat}[[survey]]\ntype = \"calculate\"\nname = \"c\"\ncalculation = \"${{x}} + 1\"\n"
    ));
    assert_eq!((row, col.as_str()), (5, "calculation"));
    assert!(msg.contains("inside repeat `r`"), "{msg}");
    assert!(check(&format!("{repeat}[[survey]]\ntype = \"calculate\"\nname = \"c\"\ncalculation = \"sum(${{x}}) + count(${{r}})\"\n")).is_empty());
    let (_, _, msg) =
        one("[[survey]]\ntype = \"calculate\"\nname = \"c\"\ncalculation = \"position(..)\"\n");
    assert!(msg.contains("inside a repeat"));
    let v = Form::from_toml_str("[settings]\nversion = \"1\"\n").unwrap_err();
    assert!(v.issues().iter().any(|i| (
        i.sheet.as_str(),
        i.row,
        i.column.as_str(),
        i.message.as_str()
    ) == ("settings", 2, "form_id", "form_id is missing")));
    let v = check_form_source("t.toml", b"[settings\n");
    assert_eq!(v[0].sheet, "file");
    assert!(v[0].message.contains("line 1"));
    let (_, col, _) = one(&format!(
        "{Q}[[choices]]\nlist_name = \"l\"\nname = \"a b\"\nlabel = \"x\"\n"
    ));
    assert_eq!(col, "name");
    let (_, col, msg) =
        one("[[survey]]\ntype = \"integer\"\nname = \"a\"\nlabel = \"A\"\ndefault = \"x\"\n");
    assert_eq!(col, "default");
    assert!(msg.contains("whole number"));
}
