//! The kernel version from the top-level Makefile (`VERSION = 6`, `PATCHLEVEL = 12`, ...).

/// `version` is what the kernel's own Makefile calls KERNELVERSION: VERSION.PATCHLEVEL, then
/// .SUBLEVEL when it is set, then EXTRAVERSION (e.g. `6.12.117`, `6.13-rc1`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelVersion {
    pub version: String,
    pub series: String,
}

pub fn parse_version(makefile: &[u8]) -> Result<KernelVersion, String> {
    let text = String::from_utf8_lossy(makefile);
    let get = |key: &str| -> Option<String> {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            // `VERSION = 6`, not `KERNELVERSION = ...` or `VERSION := ...` in a recipe.
            (k.trim() == key && !k.starts_with(char::is_whitespace)).then(|| v.trim().to_string())
        })
    };
    let number = |key: &str, v: Option<String>| -> Result<String, String> {
        match v {
            Some(v) if !v.is_empty() && v.bytes().all(|c| c.is_ascii_digit()) => Ok(v),
            Some(v) => Err(format!("{key} is \"{v}\", not a number")),
            None => Err(format!("no `{key} = ...` line")),
        }
    };
    let major = number("VERSION", get("VERSION"))?;
    let minor = number("PATCHLEVEL", get("PATCHLEVEL"))?;
    let sub = get("SUBLEVEL").filter(|s| !s.is_empty());
    if let Some(s) = &sub {
        number("SUBLEVEL", Some(s.clone()))?;
    }
    let extra = get("EXTRAVERSION").unwrap_or_default();
    let series = format!("{major}.{minor}");
    let mut version = series.clone();
    if let Some(s) = sub {
        version.push('.');
        version.push_str(&s);
    }
    version.push_str(&extra);
    Ok(KernelVersion { version, series })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_release() {
        let v =
            parse_version(b"# SPDX\nVERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 117\nEXTRAVERSION =\nNAME = x\n").unwrap();
        assert_eq!(v, KernelVersion { version: "6.12.117".into(), series: "6.12".into() });
    }

    #[test]
    fn release_candidate_without_sublevel() {
        let v = parse_version(b"VERSION = 6\nPATCHLEVEL = 13\nSUBLEVEL =\nEXTRAVERSION = -rc1\n").unwrap();
        assert_eq!(v.version, "6.13-rc1");
        assert_eq!(v.series, "6.13");
    }

    #[test]
    fn missing_patchlevel_is_reported() {
        assert_eq!(parse_version(b"VERSION = 6\n").unwrap_err(), "no `PATCHLEVEL = ...` line");
    }
}
