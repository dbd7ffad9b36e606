//! The C face of each kernel series swapdiff builds: which translation unit compiles an
//! extract of that series, against which stub headers, and which API header lists the
//! functions of its entry-point table. A series is added here and in the manifest.

pub struct Face {
    /// The manifest's series, e.g. "7.2".
    pub series: &'static str,
    /// The translation unit, relative to the cshim crate.
    pub tu: &'static str,
    /// The stub headers named like the kernel's (`<linux/swap.h>`, ...), relative to the crate.
    pub kstub: &'static str,
    /// The API header whose `<prefix>*` functions make the table.
    pub api_header: &'static str,
    /// The functions' prefix, also the table's type (`struct <prefix>api`) and symbol
    /// (`<prefix>api_<index>`).
    pub prefix: &'static str,
    /// The generated table header the TU includes.
    pub api_file: &'static str,
}

/// A series is compiled by the face of its name; 7.3 (rc) by 7.2's, whose shim profile its
/// code still fits (ENVIRONMENT.md "Kernel 7.x"). Builds of faces with one prefix share a
/// Rust list (`BUILDS`, `BUILDS72`) and one table type.
pub const FACES: [Face; 3] = [
    Face {
        series: "6.12",
        tu: "src/kernel_612.c",
        kstub: "include/kstub",
        api_header: "include/swapdiff.h",
        prefix: "sd_",
        api_file: "sd_api.h",
    },
    Face {
        series: "7.2",
        tu: "src/kernel_72.c",
        kstub: "include/kstub72",
        api_header: "include/swapdiff72.h",
        prefix: "sd72_",
        api_file: "sd72_api.h",
    },
    Face {
        series: "7.3",
        tu: "src/kernel_72.c",
        kstub: "include/kstub72",
        api_header: "include/swapdiff72.h",
        prefix: "sd72_",
        api_file: "sd72_api.h",
    },
];

/// The face that compiles `series`.
pub fn face_of(series: &str) -> Option<usize> {
    FACES.iter().position(|f| f.series == series)
}
