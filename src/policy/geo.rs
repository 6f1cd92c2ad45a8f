//! Great-circle distance and travel speed.

/// Mean Earth radius (IUGG), in kilometres.
pub(super) const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Default speed above which travel is impossible: 805 km/h (500 mph,
/// roughly a commercial jet's cruising ground speed).
pub const DEFAULT_MAX_SPEED_KMH: f64 = 805.0;

/// Haversine great-circle distance in kilometres between two points given in
/// degrees. Longitudes enter only through the sine of their difference, so a
/// pair on either side of the antimeridian (179.9 and -179.9) comes out a few
/// kilometres apart, not 40,000.
pub(super) fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    // Rounding can push h a hair outside [0, 1]; asin would then be NaN.
    2.0 * EARTH_RADIUS_KM * h.clamp(0.0, 1.0).sqrt().asin()
}

/// Whether moving `distance_km` in `elapsed_s` seconds is faster than
/// `max_speed_kmh`. With no time elapsed any distance above zero is too fast.
/// Compared as `distance * 3600 > speed * elapsed` so that no division by a
/// tiny interval blows up.
pub(super) fn too_fast(distance_km: f64, elapsed_s: u64, max_speed_kmh: f64) -> bool {
    #[expect(
        clippy::cast_precision_loss,
        reason = "elapsed seconds stay far below 2^53 for any real timestamp"
    )]
    let elapsed = elapsed_s as f64;
    distance_km * 3600.0 > max_speed_kmh * elapsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        // (lat1, lon1, lat2, lon2, expected km, tolerance km)
        let cases = [
            // same point
            (48.8566, 2.3522, 48.8566, 2.3522, 0.0, 1e-9),
            // Paris - London ~ 343.5 km
            (48.8566, 2.3522, 51.5074, -0.1278, 343.5, 1.0),
            // New York - Los Angeles ~ 3936 km
            (40.7128, -74.0060, 34.0522, -118.2437, 3936.0, 5.0),
            // across the antimeridian: 0.2 degrees of longitude at the equator ~ 22.2 km
            (0.0, 179.9, 0.0, -179.9, 22.24, 0.05),
            // Fiji (Suva) - Samoa (Apia) across the antimeridian ~ 1150 km
            (-18.1416, 178.4419, -13.8333, -171.7667, 1150.0, 15.0),
            // pole to pole: half the circumference
            (
                90.0,
                0.0,
                -90.0,
                0.0,
                std::f64::consts::PI * EARTH_RADIUS_KM,
                1e-6,
            ),
            // antipodes on the equator
            (
                0.0,
                0.0,
                0.0,
                180.0,
                std::f64::consts::PI * EARTH_RADIUS_KM,
                1e-6,
            ),
        ];
        for (a, b, c, d, want, tol) in cases {
            let got = distance_km(a, b, c, d);
            assert!(
                (got - want).abs() <= tol,
                "{a},{b} -> {c},{d}: {got} vs {want}"
            );
            let back = distance_km(c, d, a, b);
            assert!((got - back).abs() < 1e-9, "symmetric");
        }
    }

    #[test]
    fn speed_limit() {
        // exactly at the limit is not above it
        assert!(!too_fast(805.0, 3600, 805.0));
        assert!(too_fast(805.001, 3600, 805.0));
        assert!(too_fast(1.0, 0, 805.0));
        assert!(!too_fast(0.0, 0, 805.0));
        assert!(!too_fast(10_000.0, 86_400, 805.0));
    }
}
