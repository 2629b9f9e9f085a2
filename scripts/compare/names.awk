# scripts/compare/names.awk - name the machines of a comparison.  Reads the TAB-separated
# machine table compare.sh writes from each machine.json (a header line, then one line per
# run, in the order given) and prints it again with three more columns:
#   id     the machine in ratios.csv: its full host name, "#K" added when a host repeats
#   label  the figures' name, short and unique: short host name, CPU model, usable CPUs
#          ("pc017 · Core i5-8250U · 4 CPUs"; "vm #2 · EPYC · 2 CPUs" for a second run of vm)
#   rank   the figures' order: by usable CPUs, then as given
# Columns are found by their header names.  mawk-compatible (no asort, byte lengths:
# host names are ASCII).
function c(name) { return $col[name] }
# cpu_short MODEL: the words that tell CPUs apart ("Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz"
# -> "Core i5-8250U", "AMD Ryzen 7 5800X 8-Core Processor" -> "Ryzen 7 5800X").
function cpu_short(m) {
    if (m == "unknown" || m == "") return ""
    gsub(/\((R|TM|r|tm)\)/, "", m); sub(/ @ .*$/, "", m)
    gsub(/ (CPU|Processor|processor)/, " ", m); gsub(/[0-9]+-Core/, "", m)
    gsub(/(^| )(Intel|AMD|Genuine|Core)( |$)/, " ", m)
    gsub(/  +/, " ", m); sub(/^ /, "", m); sub(/ $/, "", m)
    if (length(m) > 16) sub(/^[0-9]+(st|nd|rd|th) Gen /, "", m)
    return length(m) > 16 ? substr(m, 1, 15) "…" : m
}
# elide NAME: at most 15 characters, the middle dropped: lab names differ at their ends.
function elide(s) { return length(s) > 15 ? substr(s, 1, 7) "…" substr(s, length(s) - 6) : s }
function clean(s) { gsub(/[^A-Za-z0-9._-]/, "_", s); return s }
BEGIN { FS = OFS = "\t" }
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; head = $0; next }
{
    n++; line[n] = $0; host[n] = c("host"); usable[n] = c("usable_cpus"); cpu[n] = cpu_short(c("cpu_model"))
    short[n] = host[n]; sub(/\..*$/, "", short[n]); if (short[n] == "") short[n] = host[n]
    # The next name down: pc017.cs of pc017.cs.example.edu.
    mid[n] = host[n]; if (match(mid[n], /^[^.]*\.[^.]*/)) mid[n] = substr(mid[n], 1, RLENGTH)
    hosts[host[n]]++
    if (!((short[n], host[n]) in seenpair)) { seenpair[short[n], host[n]] = 1; shorts[short[n]]++ }
    if (!((mid[n], host[n]) in seenmid)) { seenmid[mid[n], host[n]] = 1; mids[mid[n]]++ }
}
END {
    print head, "id", "label", "rank"
    for (i = 1; i <= n; i++) {
        # pc017.cs.example.edu and pc017.math.example.edu: pc017.cs and pc017.math.
        base = (shorts[short[i]] == 1) ? short[i] : (mids[mid[i]] == 1) ? mid[i] : host[i]
        id[i] = clean(host[i]); lab[i] = elide(base)
        if (hosts[host[i]] > 1) { k[host[i]]++; id[i] = id[i] "#" k[host[i]]; lab[i] = lab[i] " #" k[host[i]] }
        cpus = usable[i] (usable[i] == 1 ? " CPU" : " CPUs")
        lab[i] = lab[i] (cpu[i] != "" ? " · " cpu[i] : "") " · " cpus
    }
    # Eliding can make two names one: a position then tells them apart.
    for (i = 1; i <= n; i++) { gsub(/["'\\]/, "", lab[i]); labs[lab[i]]++; ids[id[i]]++ }
    for (i = 1; i <= n; i++) {
        if (labs[lab[i]] > 1) lab[i] = lab[i] " (" i ")"
        if (ids[id[i]] > 1) id[i] = id[i] "-" i
    }
    # Rank: insertion sort by usable CPUs ("?" first), then by position.
    for (i = 1; i <= n; i++) {
        ord[i] = i
        for (j = i - 1; j >= 1 && usable[ord[j]] + 0 > usable[i] + 0; j--) ord[j + 1] = ord[j]
        ord[j + 1] = i
    }
    for (j = 1; j <= n; j++) rank[ord[j]] = j
    for (i = 1; i <= n; i++) print line[i], id[i], lab[i], rank[i]
}
