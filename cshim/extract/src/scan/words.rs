//! Word lists the scanner needs: C keywords, and the kernel's attribute macros that can stand
//! next to a declarator without being its name.

/// C keywords and GNU spellings. They are never references to file-scope definitions.
pub fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "auto"
            | "break"
            | "case"
            | "char"
            | "const"
            | "continue"
            | "default"
            | "do"
            | "double"
            | "else"
            | "enum"
            | "extern"
            | "float"
            | "for"
            | "goto"
            | "if"
            | "inline"
            | "int"
            | "long"
            | "register"
            | "restrict"
            | "return"
            | "short"
            | "signed"
            | "sizeof"
            | "static"
            | "struct"
            | "switch"
            | "typedef"
            | "union"
            | "unsigned"
            | "void"
            | "volatile"
            | "while"
            | "_Bool"
            | "_Complex"
            | "_Imaginary"
            | "_Alignas"
            | "_Alignof"
            | "_Atomic"
            | "_Generic"
            | "_Noreturn"
            | "_Static_assert"
            | "_Thread_local"
            | "typeof"
            | "__typeof__"
            | "__typeof"
            | "typeof_unqual"
            | "asm"
            | "__asm__"
            | "__asm"
            | "__inline__"
            | "__inline"
            | "__volatile__"
            | "__restrict"
            | "__restrict__"
            | "__extension__"
            | "__signed__"
            | "__const"
            | "__label__"
            | "__auto_type"
            | "__thread"
            | "__alignof__"
            | "__builtin_offsetof"
    )
}

/// Keywords whose parenthesised operand is a type or expression, never a declarator.
pub fn takes_operand_group(w: &str) -> bool {
    matches!(
        w,
        "typeof"
            | "__typeof__"
            | "__typeof"
            | "typeof_unqual"
            | "_Alignas"
            | "_Atomic"
            | "sizeof"
            | "_Alignof"
            | "__alignof__"
            | "asm"
            | "__asm__"
            | "__asm"
    )
}

/// Attribute-like macros of the kernel (and GNU attribute spellings). When one of them is
/// followed by a parenthesised group, the group is its argument list, not a parameter list.
pub fn is_attribute(w: &str) -> bool {
    matches!(
        w,
        "__attribute__"
            | "__attribute"
            | "__aligned"
            | "__section"
            | "__printf"
            | "__scanf"
            | "__alloc_size"
            | "__must_hold"
            | "__acquires"
            | "__releases"
            | "__cond_acquires"
            | "__cond_releases"
            | "__counted_by"
            | "__diag_ignore_all"
            | "__init"
            | "__exit"
            | "__initdata"
            | "__initconst"
            | "__exitdata"
            | "__refdata"
            | "__ref"
            | "__read_mostly"
            | "__ro_after_init"
            | "__maybe_unused"
            | "__always_unused"
            | "__used"
            | "__unused"
            | "__weak"
            | "__cold"
            | "__hot"
            | "__noreturn"
            | "__packed"
            | "__always_inline"
            | "noinline"
            | "__noinline"
            | "noinline_for_stack"
            | "__noinline_for_stack"
            | "__visible"
            | "__latent_entropy"
            | "__randomize_layout"
            | "__no_randomize_layout"
            | "__must_check"
            | "__percpu"
            | "__rcu"
            | "__user"
            | "__iomem"
            | "__force"
            | "__kernel"
            | "__nocast"
            | "__safe"
            | "__private"
            | "__cacheline_aligned"
            | "__cacheline_aligned_in_smp"
            | "____cacheline_aligned"
            | "____cacheline_aligned_in_smp"
            | "__page_aligned_data"
            | "__page_aligned_bss"
            | "__nocfi"
            | "__flatten"
            | "__pure"
            | "__malloc"
            | "__naked"
            | "__no_sanitize_address"
            | "__no_kcsan"
            | "noinstr"
            | "__noinstr"
            | "__cpuidle"
            | "__sched"
            | "__irq_entry"
            | "__kprobes"
            | "__nosavedata"
            | "__bpf_kfunc"
            | "__designated_init"
            | "__nonstring"
            | "asmlinkage"
            | "notrace"
            | "__meminit"
            | "__meminitdata"
            | "__init_or_module"
            | "__head"
            | "__lockfunc"
            | "__always_used"
            | "__gnu_inline"
            | "__noclone"
            | "__no_stack_protector"
    )
}

/// Storage-class and qualifier words that may precede a macro-style definition such as
/// `static DEFINE_SPINLOCK(x);` without being a type.
pub fn is_storage_or_qualifier(w: &str) -> bool {
    matches!(w, "static" | "extern" | "const" | "volatile" | "inline" | "__inline__" | "__inline") || is_attribute(w)
}

/// `DEFINE_SPINLOCK`, `PLIST_HEAD`, `SYSCALL_DEFINE1`: upper case, digits and underscores, with
/// at least one letter. Such a name in front of a parenthesised group is a macro invocation.
pub fn is_macro_like(w: &str) -> bool {
    w.bytes().any(|c| c.is_ascii_uppercase())
        && w.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
}

/// Macros whose defined name is their last argument (the first is a type).
pub fn names_last_argument(w: &str) -> bool {
    w.starts_with("DEFINE_PER_CPU") || w.starts_with("DECLARE_PER_CPU")
}

/// Registration lines the extract drops: `EXPORT_SYMBOL*(x);` and `*_initcall(x);`.
pub fn registration_kind(w: &str) -> Option<super::items::ItemKind> {
    use super::items::ItemKind;
    if w.starts_with("EXPORT_SYMBOL") {
        Some(ItemKind::Export)
    } else if w.ends_with("initcall") || matches!(w, "module_init" | "module_exit" | "__exitcall") {
        Some(ItemKind::Initcall)
    } else {
        None
    }
}
