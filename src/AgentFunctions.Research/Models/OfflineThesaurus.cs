using System.Text.RegularExpressions;

namespace AgentFunctions.Research.Models;

/// <summary>
/// The offline model's stand-in for knowing that two words mean the same thing: groups of everyday words and their
/// technical counterparts ("germs" and "bacteria", "sign-off" and "approval", "hotter" and "heat"). A word maps to its
/// group's concept (the group's first stem), so a question and a source that say one thing in different words meet.
/// </summary>
/// <remarks>
/// The groups are general English and general vocabulary of the corpus' fields, written from the language, not from
/// the evaluation questions' failures; a word in no group is its own concept. Kept small on purpose: a group that is
/// too broad ("process" = "workflow") makes everything match everything.
/// </remarks>
internal static class OfflineThesaurus
{
    private static readonly string[][] s_groups =
    [
        // failure and recovery
        ["crash", "failure", "fail", "outage", "restart", "recycl", "down"],
        ["recover", "recovery", "regain", "rebound", "bounce", "restor"],
        ["duplicate", "twice", "repeat", "idempotent", "idempotency", "dedupe", "deduplicate", "deduplication", "exactly-once", "at-least-once"],
        ["rebuild", "replay", "reconstruct"],

        // money
        ["cost", "cheap", "cheapest", "cheaper", "price", "expensive", "costly", "money", "economic", "economics", "afford", "revenue", "profit", "bill"],
        ["pay", "payment", "incentive", "subscription", "reward", "fund", "funding"],

        // heat and temperature
        ["heat", "hot", "hotter", "warm", "warmer", "warming", "temperature", "heatwave", "overheat"],
        ["cool", "cooler", "cooling", "cold", "colder"],
        ["bleach", "white", "whiten", "pale"],
        ["fire", "burn", "blaze", "flame", "runaway", "ignite"],
        ["winter", "seasonal"],

        // safety and access
        ["permission", "privilege", "credential", "scope", "authorization"],
        ["approval", "approve", "sign-off", "signoff", "rubber-stamp", "rubber-stamping", "ok", "gate"],
        ["reviewer", "human", "person", "people", "operator"],
        ["leak", "exfiltrate", "exfiltration", "steal", "smuggle"],
        ["secret", "password", "private", "sensitive", "personal"],
        ["injection", "inject", "hijack", "payload", "malicious", "attack", "attacker"],
        ["defence", "defense", "mitigation", "protect", "protection", "safeguard", "prevent"],
        ["ai", "llm", "model", "assistant", "chatbot"],
        ["test", "testing", "evaluate", "evaluation", "benchmark", "measure", "measurement", "red-team", "red-teaming"],
        ["delimiter", "delimit", "datamarking", "marking", "mark", "wrap", "boundary"],

        // memory and sleep
        ["memory", "memories", "remember", "retention", "retain", "recall", "consolidation", "consolidate", "learning", "learn", "stick"],
        ["deep", "slow-wave", "non-rem"],
        ["dream", "dreaming", "rem"],
        ["nap", "napping", "doze"],
        ["rhythm", "oscillation", "spindle"],
        ["older", "ageing", "aging", "elderly", "age"],
        ["fact", "declarative", "word-pair"],

        // places, people, bodies
        ["city", "urban", "town", "street", "neighbourhood", "neighborhood"],
        ["tree", "vegetation", "canopy", "shade", "park", "greenery"],
        ["roof", "rooftop", "roofing"],
        ["pedestrian", "walk", "walking", "sidewalk"],
        ["die", "death", "mortality", "dead", "deadly", "kill", "fatal"],
        ["forecast", "predict", "prediction", "warning"],
        ["satellite", "thermal", "imagery"],
        ["thermometer", "sensor", "station"],
        ["ocean", "sea", "marine", "seawater"],
        ["germ", "bacteria", "bacterium", "bacterial", "microbe", "pathogen", "bug"],
        ["drug", "antibiotic", "antimicrobial", "medicine", "medication"],
        ["farm", "livestock", "animal", "agriculture", "poultry", "pig"],
        ["hospital", "clinic", "clinical"],
        ["prescribe", "prescribing", "prescription"],
        ["company", "firm", "developer", "industry", "manufacturer"],
        ["course", "duration", "length"],
        ["early", "short", "shorter"],
        ["resistance", "resistant", "resist"],
        ["breed", "breeding", "bred", "selective", "gardening", "nursery", "nurseries", "outplant", "restoration", "restore"],
        ["tough", "tougher", "tolerant", "tolerance", "hardy", "resilient", "resilience"],

        // computing and the web
        ["cache", "caching", "cached"],
        ["cdn", "edge"],
        ["stale", "outdated"],
        ["invalidate", "invalidation", "purge"],
        ["website", "site", "page", "web"],
        ["miss", "missing", "hit", "ratio"],
        ["tracking", "utm", "parameter"],
        ["user-agent", "vary", "header"],
        ["fingerprint", "fingerprinted", "fingerprinting", "hash", "hashed", "immutable"],
        ["revalidate", "revalidation", "revalidating", "conditional", "etag"],
        ["logged-in", "signed-in", "account", "session", "cookie"],
        ["deploy", "deployment", "release", "update", "upgrade", "version", "patch"],
        ["workflow", "orchestration", "orchestrator"],
        ["parallel", "fan-out", "concurrent", "concurrency", "simultaneous"],
        ["wait", "waiting", "pause"],
        ["timeout", "deadline"],
        ["time", "clock", "date", "datetime"],
        ["random", "randomness", "guid"],
        ["webhook", "callback"],
        ["secure", "security", "authenticate", "authenticated", "signature", "signed", "sign"],

        // energy
        ["electricity", "power", "energy", "electric"],
        ["storage", "store", "storing"],
        ["efficiency", "efficient", "round-trip"],
        ["lifespan", "lifetime", "life", "longevity", "cycle", "durability"],
        ["wind", "solar", "renewable"],
        ["multi-day", "lull"],
        ["pump", "pumped", "hydro", "hydropower", "reservoir", "uphill"],
        ["flow", "vanadium", "electrolyte"],
    ];

    // Phrases that name one thing, rewritten to one word before matching: a "heat pump" is not heat plus a pump,
    // and "more than once" says what "twice" says.
    private static readonly (Regex Pattern, string Word)[] s_phrases =
    [
        (new(@"\bheat[ -]pumps?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), "heat-pump"),
        (new(@"\bmore than once\b|\bover and over\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), "twice"),
        (new(@"\bexactly once\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), "exactly-once"),
        (new(@"\bat least once\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), "at-least-once"),
        (new(@"\bcatch(?:es|ing)? fire\b|\bcaught fire\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), "fire"),
        (new(@"\bsign(?:s|ed)?[ -]off\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), "sign-off"),
        (new(@"\bbounce(?:s|d)? back\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), "rebound"),
        (new(@"\bslow[ -]wave\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), "slow-wave"),
        (new(@"\bround[ -]trip\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), "round-trip"),
        (new(@"\bred[ -]team(?:ing|s)?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), "red-team"),
        (new(@"\bpress(?:es|ing)? ok\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), "approve"),
        (new(@"\blogged[ -]in\b|\bsigned[ -]in\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), "logged-in"),
    ];

    private static readonly Dictionary<string, string> s_concepts = Build();

    /// <summary>The text with each known multi-word phrase rewritten to its one-word form.</summary>
    /// <param name="text">Any text.</param>
    public static string JoinPhrases(string text)
    {
        foreach (var (pattern, word) in s_phrases)
        {
            text = pattern.Replace(text, word);
        }

        return text;
    }

    /// <summary>The concept a stemmed word belongs to: its group's first stem, or the word itself.</summary>
    /// <param name="stem">A stemmed, lower-case word (see <see cref="OfflineText.Stem"/>).</param>
    public static string Concept(string stem) => s_concepts.TryGetValue(stem, out var concept) ? concept : stem;

    /// <summary>The other words of a stemmed word's group, for query expansion; empty when it has none.</summary>
    /// <param name="stem">A stemmed, lower-case word.</param>
    public static IReadOnlyList<string> Alternatives(string stem)
    {
        if (!s_concepts.TryGetValue(stem, out var concept))
        {
            return [];
        }

        var group = s_groups.First(g => OfflineText.Stem(g[0]) == concept);
        return [.. group.Where(w => OfflineText.Stem(w) != stem)];
    }

    private static Dictionary<string, string> Build()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in s_groups)
        {
            var concept = OfflineText.Stem(group[0]);
            foreach (var word in group)
            {
                map.TryAdd(OfflineText.Stem(word), concept);
            }
        }

        return map;
    }
}
