package dev.orchard.server.mdm;

/** Comparing app versions as the App Store writes them ({@code 14.2}, {@code 6.8.1}, {@code 2024.05b}). */
final class Versions {

    private Versions() {
    }

    /** Whether {@code installed} is older than {@code current}; numeric parts compare as numbers. */
    static boolean older(String installed, String current) {
        return compare(installed, current) < 0;
    }

    static int compare(String a, String b) {
        String[] x = a.strip().split("[.\\-]");
        String[] y = b.strip().split("[.\\-]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String p = i < x.length ? x[i] : "0";
            String q = i < y.length ? y[i] : "0";
            int c = p.matches("\\d{1,18}") && q.matches("\\d{1,18}") ? Long.compare(Long.parseLong(p), Long.parseLong(q))
                    : p.compareTo(q);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
