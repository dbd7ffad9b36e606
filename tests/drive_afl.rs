//! AFL++'s saved inputs gathered for the triage: every crash and hang of every
//! instance of a target, and nothing else (not the queue, not the stats).

use swapdiff::drive::afl::{gather, instance_names};
use swapdiff::drive::plan::{Args, Plan};

#[test]
fn instances_are_default_alone_else_main_and_secondaries() {
    // AFL++ names a lone instance's directory "default"; -M main and -S s1.. otherwise.
    assert_eq!(instance_names(1), ["default"]);
    assert_eq!(instance_names(3), ["main", "s1", "s2"]);
}

#[test]
fn crash_and_hang_inputs_are_gathered_per_target() {
    let root = std::env::temp_dir().join(format!("swapdiff-drive-afl-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("fuzz/fuzz_targets")).unwrap();
    std::fs::write(root.join("fuzz/fuzz_targets/swap_mte.rs"), "").unwrap();
    let args = Args { engine: "afl".into(), jobs: 2, seconds: 10, level: Some("raw".into()), ..Args::default() };
    let mut plan = Plan::new(&root, &args).unwrap();
    plan.variant = "stock".into();
    let out = plan.afl_out().join("swap_mte");
    let put = |rel: &str| {
        let p = out.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, rel).unwrap();
    };
    put("main/crashes/id:000000,sig:06,src:000001,time:12,execs:40,op:havoc,rep:2");
    put("main/crashes/README.txt");
    put("s1/hangs/id:000000,src:000003,time:900,execs:99,op:flip1,pos:0");
    put("s1/queue/id:000000,time:0,execs:0,orig:seed");
    let dir = plan.afl_out().join("crashes");
    // One crash of main, one hang of s1: AFL++'s README and the queue are not inputs.
    assert_eq!(gather(&plan, "swap_mte", &dir).unwrap(), 2);
    let mut names: Vec<String> = std::fs::read_dir(dir.join("swap_mte"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // The instance and kind in the name; ':' and ',' replaced so the name is a plain file name.
    assert_eq!(
        names,
        [
            "main-crashes-id_000000_sig_06_src_000001_time_12_execs_40_op_havoc_rep_2",
            "s1-hangs-id_000000_src_000003_time_900_execs_99_op_flip1_pos_0"
        ]
    );
    let _ = std::fs::remove_dir_all(&root);
}
