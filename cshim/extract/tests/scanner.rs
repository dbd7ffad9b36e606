//! The scanner on synthetic C written for these tests: each case is a construct whose braces,
//! quotes or semicolons would mislead a naive splitter.

use swapdiff_extract::scan::{scan, Item, ItemKind};

fn items(src: &str) -> Vec<Item> {
    match scan(src.as_bytes()) {
        Ok(f) => f.items,
        Err(e) => panic!("scan failed at line {}: {}", e.line, e.message),
    }
}

/// (kind, names, first line, last line) of every item.
fn shape(src: &str) -> Vec<(ItemKind, Vec<String>, u32, u32)> {
    items(src).into_iter().map(|it| (it.kind, it.names, it.line, it.end_line)).collect()
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn braces_and_quotes_in_comments_do_not_count() {
    let src = "/* a { brace and a \" quote and ' */\nint f(void)\n{\n\t// } ' \"\n\treturn 0; /* } */\n}\nint g;\n";
    assert_eq!(shape(src), [(ItemKind::Function, names(&["f"]), 2, 6), (ItemKind::Global, names(&["g"]), 7, 7)]);
}

#[test]
fn braces_in_strings_and_char_literals_do_not_count() {
    let src = r#"static const char s[] = "}\"{";
int f(int c)
{
	if (c == '{' || c == '\'' || c == '"')
		return '}';
	return "\\"[0];
}
int after;
"#;
    assert_eq!(
        shape(src),
        [
            (ItemKind::Global, names(&["s"]), 1, 1),
            (ItemKind::Function, names(&["f"]), 2, 7),
            (ItemKind::Global, names(&["after"]), 8, 8),
        ]
    );
}

#[test]
fn multi_line_macros_are_one_item_with_their_references() {
    let src = "#define BIG(x) \\\n\t((x) + \\\n\t LIMIT)\n#define LIMIT 3\n";
    let it = items(src);
    assert_eq!((it[0].kind, it[0].line, it[0].end_line), (ItemKind::Define, 1, 3));
    assert_eq!(it[0].names, ["BIG"]);
    // The parameter x is not a reference; LIMIT is.
    assert_eq!(it[0].refs.iter().collect::<Vec<_>>(), ["LIMIT"]);
    assert_eq!((it[1].kind, it[1].line), (ItemKind::Define, 4));
}

#[test]
fn conditionals_around_functions_are_items_of_their_own() {
    let src = "#ifdef CONFIG_A\nint f(void) { return 1; }\n#elif defined(CONFIG_B)\nint f(void) { return 2; }\n#else\n#endif /* CONFIG_A */\n#include <linux/x.h>\n#undef LIMIT\n";
    let kinds: Vec<ItemKind> = items(src).iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [
            ItemKind::Conditional,
            ItemKind::Function,
            ItemKind::Conditional,
            ItemKind::Function,
            ItemKind::Conditional,
            ItemKind::Conditional,
            ItemKind::Include,
            ItemKind::Undef,
        ]
    );
    // `#elif defined(CONFIG_B)` refers to CONFIG_B, not to `defined`.
    assert_eq!(items(src)[2].refs.iter().collect::<Vec<_>>(), ["CONFIG_B"]);
}

#[test]
fn prototypes_with_unnamed_parameters_and_split_lines() {
    let src = "static bool check(struct info *, unsigned long,\n\t\t  unsigned char);\nstatic struct info *\nlookup(int type);\nint (*hook)(int);\nvoid (*pick(int which))(void);\n";
    assert_eq!(
        shape(src),
        [
            (ItemKind::Prototype, names(&["check"]), 1, 2),
            (ItemKind::Prototype, names(&["lookup"]), 3, 4),
            // A pointer to a function is a variable, a function returning one is a prototype.
            (ItemKind::Global, names(&["hook"]), 5, 5),
            (ItemKind::Prototype, names(&["pick"]), 6, 6),
        ]
    );
}

#[test]
fn old_style_definition_is_one_function() {
    let src = "int add(a, b)\n\tint a;\n\tlong b;\n{\n\treturn a + b;\n}\nint next;\n";
    assert_eq!(shape(src), [(ItemKind::Function, names(&["add"]), 1, 6), (ItemKind::Global, names(&["next"]), 7, 7)]);
}

#[test]
fn macro_style_definitions_name_their_first_argument() {
    let src = "static DEFINE_SPINLOCK(big_lock);\nstatic PLIST_HEAD(active);\nstatic DEFINE_XARRAY(tags);\nDEFINE_PER_CPU(struct cache, slot_cache);\nEXPORT_SYMBOL_GPL(active);\nlate_initcall(start);\n__setup(\"opt=\", parse_opt);\nSYSCALL_DEFINE1(turn_off, const char __user *, name)\n{\n\treturn 0;\n}\n";
    assert_eq!(
        shape(src),
        [
            (ItemKind::Global, names(&["big_lock"]), 1, 1),
            (ItemKind::Global, names(&["active"]), 2, 2),
            (ItemKind::Global, names(&["tags"]), 3, 3),
            // The per-cpu family names its variable last (the first argument is a type).
            (ItemKind::Global, names(&["slot_cache"]), 4, 4),
            (ItemKind::Export, names(&[]), 5, 5),
            (ItemKind::Initcall, names(&[]), 6, 6),
            (ItemKind::MacroCall, names(&[]), 7, 7),
            (ItemKind::Function, names(&["turn_off"]), 8, 11),
        ]
    );
}

#[test]
fn macro_invocation_without_semicolon_does_not_swallow_the_next_function() {
    let src = "DEFINE_SHOW_ATTRIBUTE(stats)\nstatic int after(void)\n{\n\treturn 0;\n}\n";
    assert_eq!(
        shape(src),
        [(ItemKind::Global, names(&["stats"]), 1, 1), (ItemKind::Function, names(&["after"]), 2, 5)]
    );
}

#[test]
fn types_globals_and_their_names() {
    let src = "struct pair { int a; struct pair *next; };\nenum mode { M_OFF, M_ON = 4, M_LAST };\ntypedef unsigned long slot_t;\nstatic const struct ops table = {\n\t.open = do_open,\n};\nstatic int a, *b, c[4] = { 1 };\nstatic int tuned __read_mostly = 2;\nstruct forward;\n";
    assert_eq!(
        shape(src),
        [
            (ItemKind::Type, names(&["pair"]), 1, 1),
            // Enumerators are file-scope names: using M_ON pulls the enum in.
            (ItemKind::Type, names(&["mode", "M_OFF", "M_ON", "M_LAST"]), 2, 2),
            (ItemKind::Typedef, names(&["slot_t"]), 3, 3),
            (ItemKind::Global, names(&["table"]), 4, 6),
            (ItemKind::Global, names(&["a", "b", "c"]), 7, 7),
            (ItemKind::Global, names(&["tuned"]), 8, 8),
            (ItemKind::Type, names(&["forward"]), 9, 9),
        ]
    );
    let it = items(src);
    // `.open = do_open`: the member name is no reference, the value is.
    assert_eq!(it[3].refs.iter().collect::<Vec<_>>(), ["do_open", "ops"]);
}

#[test]
fn a_conditional_inside_a_declaration_widens_it_to_the_whole_group() {
    // The #ifdef opens between `x` and its initializer; splitting at each `;` would emit an
    // #ifdef without its #endif whenever x is kept.
    let src = "static int x\n#ifdef CONFIG_A\n\t= 1;\n#else\n\t= 2;\n#endif\nint y;\n";
    assert_eq!(shape(src), [(ItemKind::Global, names(&["x"]), 1, 6), (ItemKind::Global, names(&["y"]), 7, 7)]);
}

#[test]
fn a_conditional_inside_a_parameter_list_stays_inside_the_function() {
    let src = "#define N 1\nint f(int a\n#ifdef CONFIG_B\n      , int b\n#endif\n      )\n{\n\treturn a;\n}\n";
    assert_eq!(shape(src), [(ItemKind::Define, names(&["N"]), 1, 1), (ItemKind::Function, names(&["f"]), 2, 9)]);
}

#[test]
fn unbalanced_braces_are_reported_with_a_line() {
    let err = scan(b"int f(void)\n{\n\tif (x) {\n\treturn 0;\n}\n").err().expect("must fail");
    assert_eq!(err.line, 1);
    assert!(err.message.contains("not closed"), "{}", err.message);
    let err = scan(b"int a;\n}\n").err().expect("must fail");
    assert_eq!(err.line, 2);
}

#[test]
fn unmatched_conditionals_are_reported_with_a_line() {
    let err = scan(b"int a;\n#endif\n").err().expect("must fail");
    assert_eq!(err.line, 2);
    let err = scan(b"#if X\nint a;\n").err().expect("must fail");
    assert_eq!(err.line, 1);
}

#[test]
fn member_names_and_labels_are_not_file_scope_references() {
    let src = "int f(struct s *p)\n{\n\tp->count++;\n\tp->inner.flags = LIMIT;\nout:\n\treturn helper(p);\n}\n";
    let refs: Vec<String> = items(src)[0].refs.iter().cloned().collect();
    // count and flags follow -> and `.`; `out` is a label (harmless: no file item has that name).
    assert_eq!(refs, ["LIMIT", "helper", "out", "p", "s"]);
}

#[test]
fn branches_that_open_braces_differently_follow_the_first_branch() {
    // Each branch opens the loop its own way; the function must still end at its last `}`.
    let src = "int sum(int n)\n{\n\tint s = 0;\n#ifdef FAST\n\tfor (int i = 0; i < n; i += 2) {\n#else\n\tfor (int i = 0; i < n; i++) {\n#endif\n\t\ts += i;\n\t}\n\treturn s;\n}\nint after;\n";
    assert_eq!(
        shape(src),
        [(ItemKind::Function, names(&["sum"]), 1, 12), (ItemKind::Global, names(&["after"]), 13, 13)]
    );
}

#[test]
fn macro_defined_function_heads_in_alternative_branches() {
    // Two spellings of the head under #if/#else, one body after #endif.
    let src = "#ifdef WIDE_ARGS\nSYSCALL_DEFINE2(frob, long, a, long, b)\n#else\nSYSCALL_DEFINE1(frob, long, a)\n#endif\n{\n\treturn 0;\n}\nint after;\n";
    let it = items(src);
    let f = it.iter().find(|i| i.kind == ItemKind::Function).expect("a function");
    assert_eq!((f.names.clone(), f.line, f.end_line), (names(&["frob"]), 1, 8));
    assert_eq!(it.last().map(|i| i.names.clone()), Some(names(&["after"])));
}

#[test]
fn a_declaration_ending_in_each_branch_is_one_item() {
    let src = "static int limit =\n#ifdef BIG\n\t100;\n#else\n\t10;\n#endif\nint after;\n";
    assert_eq!(shape(src), [(ItemKind::Global, names(&["limit"]), 1, 6), (ItemKind::Global, names(&["after"]), 7, 7)]);
}

#[test]
fn an_initcall_without_semicolon_at_the_end_of_a_conditional() {
    // Without a `;` the invocation must still end before the #endif, or the whole #ifdef
    // block would be taken for one declaration.
    let src = "#ifdef CONFIG_X\nstatic int __init setup(void)\n{\n\treturn 0;\n}\nsubsys_initcall(setup)\n#endif\n";
    let kinds: Vec<(ItemKind, u32)> = items(src).iter().map(|i| (i.kind, i.line)).collect();
    assert_eq!(
        kinds,
        [(ItemKind::Conditional, 1), (ItemKind::Function, 2), (ItemKind::Initcall, 6), (ItemKind::Conditional, 7)]
    );
}
