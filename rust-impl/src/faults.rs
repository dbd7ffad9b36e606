//! Allocation sites: the armed fault of each (the n-th attempt from arming fails) and the
//! number of live allocations (made and not yet freed).

use swapdiff_contract::Site;

#[derive(Debug, Default, Clone)]
pub struct Allocations {
    /// Attempts left until the armed failure, per site; 0 = disarmed.
    countdown: [u32; 3],
    live: [u64; 3],
}

impl Allocations {
    /// `sd_fault_arm`: the nth attempt from now fails (1 = the next); 0 disarms. Arming
    /// again replaces the previous plan.
    pub fn arm(&mut self, site: Site, nth: u32) {
        self.countdown[site.index()] = nth;
    }

    /// One allocation attempt at `site`: `false` when the armed fault fires (it fires
    /// once, then the site is disarmed). A success counts as live.
    pub fn try_alloc(&mut self, site: Site) -> bool {
        let i = site.index();
        match self.countdown[i] {
            0 => {}
            1 => {
                self.countdown[i] = 0;
                return false;
            }
            n => self.countdown[i] = n - 1,
        }
        self.live[i] += 1;
        true
    }

    pub fn free(&mut self, site: Site) {
        self.free_n(site, 1);
    }

    pub fn free_n(&mut self, site: Site, n: u64) {
        let i = site.index();
        self.live[i] = self.live[i].wrapping_sub(n);
    }

    pub fn live(&self, site: Site) -> u64 {
        self.live[site.index()]
    }

    pub fn reset(&mut self) {
        *self = Allocations::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nth_attempt_fails_once_and_other_sites_are_independent() {
        let mut a = Allocations::default();
        a.arm(Site::ContPage, 2);
        assert!(a.try_alloc(Site::TagStorage));
        assert!(a.try_alloc(Site::ContPage));
        assert!(!a.try_alloc(Site::ContPage));
        assert!(a.try_alloc(Site::ContPage));
        assert_eq!(a.live(Site::ContPage), 2);
        a.free(Site::ContPage);
        assert_eq!(a.live(Site::ContPage), 1);
        a.arm(Site::XaNode, 1);
        a.arm(Site::XaNode, 0);
        assert!(a.try_alloc(Site::XaNode));
    }
}
