//! Interleaved runs of one build (ENVIRONMENT.md "Interleavings", src/c/sched.c): up to
//! [`MAX_CPUS`] simulated CPUs, each a coroutine on this thread running a Rust body that makes
//! kernel calls through the same [`Kernel`]. One runs at a time, and control passes only at the
//! shim's yield points (locks, atomics, marked accesses, `cond_resched`, RCU sections, and
//! between two ops of a body). At every stop the caller's scheduler picks the next CPU, so a
//! schedule is a list of choices and replays exactly.
//!
//! Soundness. The bodies all reach the C through one `*mut Kernel` (or `*mut Kernel72`), and a
//! body is suspended inside a kernel call (its `&mut` borrow still live) while another body
//! runs. That is sound here because only one body runs at a time (the switches are in C, on
//! this thread), and a method suspended in a call touches, after it resumes, only `self.build`,
//! which never changes, and (Kernel72) the call log, a `RefCell` behind an `Rc` that no body
//! replaces: the fields a method writes (the event strings) are written only between calls,
//! never across a switch. The scheduler itself never touches the handle while a body is
//! suspended.

use std::any::Any;
use std::ffi::{c_void, CStr};
use std::os::raw::c_char;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use crate::builds::sd;
use crate::ffi;
use crate::kernel::Kernel;
use crate::kernel72::{sd72, Kernel72};

/// The most CPUs a run may have (`SD_MAX_CPUS`).
pub const MAX_CPUS: usize = ffi::SD_MAX_CPUS as usize;

/// What kind of yield point a CPU stopped at (sd_compiler.h's `SD_YIELD_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum YieldKind {
    /// Before taking a lock (`spin_lock`, `lock_cluster`, `spin_trylock`).
    Lock,
    /// After releasing one.
    Unlock,
    /// Before an atomic operation.
    Atomic,
    /// Before a `READ_ONCE`, `WRITE_ONCE` or `data_race` access.
    Once,
    /// `cond_resched()`.
    Resched,
    /// `rcu_read_lock()` / `rcu_read_unlock()`.
    Rcu,
    /// Between two ops of the CPU's body.
    Op,
    /// Waiting for a lock another CPU holds: not runnable until it is released.
    Blocked,
    /// Not started yet.
    Start,
    /// The body returned.
    Done,
}

impl YieldKind {
    fn from_c(kind: i32, done: bool) -> YieldKind {
        if done {
            return YieldKind::Done;
        }
        match kind {
            1 => YieldKind::Lock,
            2 => YieldKind::Unlock,
            3 => YieldKind::Atomic,
            4 => YieldKind::Once,
            5 => YieldKind::Resched,
            6 => YieldKind::Rcu,
            7 => YieldKind::Op,
            8 => YieldKind::Blocked,
            _ => YieldKind::Start,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            YieldKind::Lock => "lock",
            YieldKind::Unlock => "unlock",
            YieldKind::Atomic => "atomic",
            YieldKind::Once => "once",
            YieldKind::Resched => "resched",
            YieldKind::Rcu => "rcu",
            YieldKind::Op => "op",
            YieldKind::Blocked => "blocked",
            YieldKind::Start => "start",
            YieldKind::Done => "done",
        }
    }
}

/// Where a CPU stopped: the kernel function, the call written there, its line in the extract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YieldPoint {
    pub kind: YieldKind,
    pub func: &'static str,
    pub text: &'static str,
    pub line: u32,
}

impl YieldPoint {
    const START: YieldPoint = YieldPoint { kind: YieldKind::Start, func: "", text: "start", line: 0 };
}

impl std::fmt::Display for YieldPoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            YieldKind::Start | YieldKind::Done | YieldKind::Op => write!(f, "{}", self.kind.name()),
            _ => write!(f, "{} {}:{} {}", self.kind.name(), self.func, self.line, self.text),
        }
    }
}

/// The C literals a yield point names (`__func__`, stringified calls): static storage of the
/// build's translation unit, alive for the whole process.
fn literal(p: *const c_char) -> &'static str {
    if p.is_null() {
        return "";
    }
    // SAFETY: every pointer sched.c stores in a `struct sd_yield` is a string literal or
    // `__func__` of the build's TU, NUL-terminated and never freed.
    unsafe { CStr::from_ptr(p) }.to_str().unwrap_or("?")
}

/// What the scheduler sees before each choice.
#[derive(Debug)]
pub struct Choice<'a> {
    /// Which CPUs can run now (not done, not waiting for a held lock).
    pub runnable: &'a [bool],
    /// Where each CPU stopped last.
    pub at: &'a [YieldPoint],
    /// The CPU that ran last, if any.
    pub last: Option<usize>,
    /// Stops so far.
    pub steps: usize,
}

/// How an interleaved run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// Every body returned.
    Finished,
    /// Some body has not returned and none can run: each waits for a lock another holds (or a
    /// trapped call left one held).
    Deadlock,
    /// The run made `max_steps` stops: a livelock, or a bound too small.
    StepLimit,
}

/// One interleaved run: the CPUs picked, in order, and where each stop was.
#[derive(Debug, Clone)]
pub struct Interleaving {
    pub end: RunEnd,
    /// `(cpu, where it stopped after running)` for every resume, in order.
    pub trace: Vec<(usize, YieldPoint)>,
}

/// A CPU's body: its ops, made through the run's one kernel handle ([`Kernel`] or
/// [`Kernel72`]).
pub type Body<'a, K = Kernel> = Box<dyn FnMut(&mut K) + 'a>;

/// One CPU's body and what its coroutine needs.
struct Cpu<'a, K> {
    body: Body<'a, K>,
    kernel: *mut K,
    panic: Option<Box<dyn Any + Send>>,
}

extern "C" fn cpu_main<K>(arg: *mut c_void) {
    // SAFETY: `arg` is the `Cpu<K>` that `interleave` passed to the spawn call with this very
    // instantiation; it outlives the run (interleave ends the run before dropping it) and only
    // this coroutine uses it while it runs.
    let cpu = unsafe { &mut *(arg as *mut Cpu<'_, K>) };
    // SAFETY: see the module comment: one body runs at a time, on this thread.
    let kernel = unsafe { &mut *cpu.kernel };
    // A panic must not unwind out of the coroutine's first frame (into C).
    if let Err(p) = catch_unwind(AssertUnwindSafe(|| (cpu.body)(kernel))) {
        cpu.panic = Some(p);
    }
}

/// A build's copy of the scheduler (each translation unit includes sched.c): the six calls
/// `interleave` makes, as the build's table names them.
trait Scheduler {
    /// # Safety
    /// The caller keeps the sched.c protocol: begin, spawn each CPU with a body and argument
    /// that stay valid until end, resume only runnable CPUs, end.
    unsafe fn begin(&mut self, n: i32) -> i32;
    /// # Safety
    /// As `begin`.
    unsafe fn spawn(&mut self, cpu: i32, body: extern "C" fn(*mut c_void), arg: *mut c_void) -> i32;
    /// # Safety
    /// As `begin`.
    unsafe fn runnable(&mut self, cpu: i32) -> bool;
    /// # Safety
    /// As `begin`; `at` is a valid out-pointer.
    unsafe fn resume(&mut self, cpu: i32, at: &mut ffi::sd_yield) -> i32;
    /// # Safety
    /// As `begin`.
    unsafe fn end(&mut self);
}

impl Scheduler for Kernel {
    unsafe fn begin(&mut self, n: i32) -> i32 {
        sd!(self.build => sd_sched_begin(n))
    }
    unsafe fn spawn(&mut self, cpu: i32, body: extern "C" fn(*mut c_void), arg: *mut c_void) -> i32 {
        sd!(self.build => sd_sched_spawn(cpu, Some(body), arg))
    }
    unsafe fn runnable(&mut self, cpu: i32) -> bool {
        sd!(self.build => sd_sched_runnable(cpu)) != 0
    }
    unsafe fn resume(&mut self, cpu: i32, at: &mut ffi::sd_yield) -> i32 {
        sd!(self.build => sd_sched_resume(cpu, at))
    }
    unsafe fn end(&mut self) {
        sd!(self.build => sd_sched_end())
    }
}

impl Scheduler for Kernel72 {
    unsafe fn begin(&mut self, n: i32) -> i32 {
        sd72!(self.build => sd72_sched_begin(n))
    }
    unsafe fn spawn(&mut self, cpu: i32, body: extern "C" fn(*mut c_void), arg: *mut c_void) -> i32 {
        sd72!(self.build => sd72_sched_spawn(cpu, Some(body), arg))
    }
    unsafe fn runnable(&mut self, cpu: i32) -> bool {
        sd72!(self.build => sd72_sched_runnable(cpu)) != 0
    }
    unsafe fn resume(&mut self, cpu: i32, at: &mut ffi::sd_yield) -> i32 {
        sd72!(self.build => sd72_sched_resume(cpu, at))
    }
    unsafe fn end(&mut self) {
        sd72!(self.build => sd72_sched_end())
    }
}

/// The one scheduler loop, for either series' handle (the methods below document it).
fn interleave<'a, K: Scheduler>(
    k: &mut K,
    bodies: Vec<Body<'a, K>>,
    pick: &mut dyn FnMut(&Choice<'_>) -> usize,
    max_steps: usize,
) -> Interleaving {
    let n = bodies.len();
    assert!((1..=MAX_CPUS).contains(&n), "interleave: {n} CPUs (1..={MAX_CPUS})");
    // SAFETY: no other run is on (checked by the C side: -EINVAL); n is in range.
    let began = unsafe { k.begin(n as i32) };
    assert_eq!(began, 0, "interleave: sd_sched_begin({n}) = {began} (a run already on?)");
    let kernel: *mut K = k;
    let mut cpus: Vec<Cpu<'a, K>> = bodies.into_iter().map(|body| Cpu { body, kernel, panic: None }).collect();
    for (i, cpu) in cpus.iter_mut().enumerate() {
        let arg = cpu as *mut Cpu<'a, K> as *mut c_void;
        // SAFETY: `arg` stays valid until the end call below (`cpus` is not touched
        // meanwhile); `cpu_main::<K>` casts it back to this type.
        let r = unsafe { (*kernel).spawn(i as i32, cpu_main::<K>, arg) };
        assert_eq!(r, 0, "interleave: sd_sched_spawn({i})");
    }
    let mut at = vec![YieldPoint::START; n];
    let mut runnable = vec![false; n];
    let mut trace = Vec::new();
    let mut last = None;
    let end = loop {
        for (i, r) in runnable.iter_mut().enumerate() {
            // SAFETY: i < n, the run is on.
            *r = unsafe { (*kernel).runnable(i as i32) };
        }
        if !runnable.iter().any(|&r| r) {
            break if at.iter().all(|p| p.kind == YieldKind::Done) { RunEnd::Finished } else { RunEnd::Deadlock };
        }
        if trace.len() >= max_steps {
            break RunEnd::StepLimit;
        }
        let want = pick(&Choice { runnable: &runnable, at: &at, last, steps: trace.len() });
        let cpu = if want < n && runnable[want] { want } else { runnable.iter().position(|&r| r).unwrap_or(0) };
        let mut y = ffi::sd_yield { kind: 0, line: 0, func: std::ptr::null(), text: std::ptr::null() };
        // SAFETY: `cpu` is runnable; `y` is a valid out-pointer for the call. The body runs
        // on its own stack until its next yield point (module comment).
        let r = unsafe { (*kernel).resume(cpu as i32, &mut y) };
        assert!(r >= 0, "interleave: sd_sched_resume({cpu}) = {r} on a runnable CPU");
        let point = YieldPoint {
            kind: YieldKind::from_c(y.kind, r == 1),
            func: literal(y.func),
            text: literal(y.text),
            line: y.line.max(0) as u32,
        };
        at[cpu] = point;
        trace.push((cpu, point));
        last = Some(cpu);
    };
    // SAFETY: the run is on; afterwards no coroutine will run again.
    unsafe { (*kernel).end() };
    let panic = cpus.iter_mut().find_map(|c| c.panic.take());
    drop(cpus);
    if let Some(p) = panic {
        resume_unwind(p);
    }
    Interleaving { end, trace }
}

impl Kernel {
    /// Runs `bodies` as CPUs 0.. of one interleaved run. Before each stop-to-stop step, `pick`
    /// chooses the CPU to run among the runnable ones (a choice that is not runnable takes the
    /// lowest runnable CPU instead). Ends when every body returned, when none can run, or
    /// after `max_steps` steps. A CPU left mid-call (a deadlock, the step limit) is abandoned:
    /// reset the environment before inspecting anything else. A panic in a body is raised
    /// again here, after the run ended.
    ///
    /// Panics if `bodies` is empty or has more than [`MAX_CPUS`] entries, or if an interleaved
    /// run is already on (a body calling `interleave`).
    pub fn interleave<'a>(
        &mut self,
        bodies: Vec<Body<'a>>,
        pick: &mut dyn FnMut(&Choice<'_>) -> usize,
        max_steps: usize,
    ) -> Interleaving {
        interleave(self, bodies, pick, max_steps)
    }

    /// The yield point between two ops of a body (nothing outside an interleaved run).
    pub fn op_point(&mut self) {
        // SAFETY: no arguments; outside a run it returns at once.
        unsafe { sd!(self.build => sd_sched_op_point()) }
    }
}

impl Kernel72 {
    /// [`Kernel::interleave`] on a 7.x build: the same scheduler, the same rules.
    pub fn interleave<'a>(
        &mut self,
        bodies: Vec<Body<'a, Kernel72>>,
        pick: &mut dyn FnMut(&Choice<'_>) -> usize,
        max_steps: usize,
    ) -> Interleaving {
        interleave(self, bodies, pick, max_steps)
    }

    /// The yield point between two ops of a body (nothing outside an interleaved run).
    pub fn op_point(&mut self) {
        // SAFETY: no arguments; outside a run it returns at once.
        unsafe { sd72!(self.build => sd72_sched_op_point()) }
    }
}
