using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AgentFunctions.Infra.Tests;

/// <summary>A module's output read by its parent: <c>reference(... 'Microsoft.Resources/deployments', 'storage') ...).outputs.name.value</c>.</summary>
/// <param name="Module">The deployment (module) name.</param>
/// <param name="Output">The output name.</param>
internal sealed record ModuleOutput(string Module, string Output);

/// <summary>
/// One ARM template of a compiled Bicep file, main or nested: Bicep compiles each module into a
/// <c>Microsoft.Resources/deployments</c> resource whose <c>properties.template</c> holds the module's template,
/// and whose <c>properties.parameters</c> bind the module's parameters to the parent's expressions.
/// </summary>
internal sealed partial class ArmTemplate
{
    private ArmTemplate(JsonObject root, string name, ArmTemplate? parent, JsonObject? deployment)
    {
        Root = root;
        Name = name;
        Parent = parent;
        Deployment = deployment;
        Resources = ResourceList(root);
        Modules = Resources
            .Where(r => IsType(r, "Microsoft.Resources/deployments") && r["properties"]?["template"] is JsonObject)
            .Select(r => new ArmTemplate(r["properties"]!["template"]!.AsObject(), ResourceName(r), this, r))
            .ToList();
    }

    /// <summary>The template's JSON.</summary>
    public JsonObject Root { get; }

    /// <summary>The deployment name of a module (e.g. <c>storage</c>); <c>main</c> for the root.</summary>
    public string Name { get; }

    /// <summary>The template that deploys this one; null for main.</summary>
    public ArmTemplate? Parent { get; }

    /// <summary>The <c>Microsoft.Resources/deployments</c> resource that deploys this template; null for main.</summary>
    public JsonObject? Deployment { get; }

    /// <summary>The template's own resources (not those of nested templates).</summary>
    public IReadOnlyList<JsonObject> Resources { get; }

    /// <summary>The nested templates deployed by this one.</summary>
    public IReadOnlyList<ArmTemplate> Modules { get; }

    /// <summary>Reads a compiled template.</summary>
    public static ArmTemplate Parse(string json) =>
        new(JsonNode.Parse(json)?.AsObject() ?? throw new InvalidOperationException("The compiled template is empty."), "main", null, null);

    /// <summary>This template and every template nested in it, at any depth.</summary>
    public IEnumerable<ArmTemplate> SelfAndDescendants() =>
        Modules.SelectMany(m => m.SelfAndDescendants()).Prepend(this);

    /// <summary>The root (main) template.</summary>
    public ArmTemplate Main => Parent?.Main ?? this;

    /// <summary>Every resource of <paramref name="type"/> in this template or below, with the template declaring it.</summary>
    public IEnumerable<(ArmTemplate Template, JsonObject Resource)> Find(string type) =>
        SelfAndDescendants().SelectMany(t => t.Resources.Where(r => IsType(r, type)).Select(r => (t, r)));

    /// <summary>The only resource of <paramref name="type"/> in this template or below.</summary>
    public (ArmTemplate Template, JsonObject Resource) Single(string type)
    {
        var found = Find(type).ToList();
        Assert.True(found.Count == 1, $"Expected exactly one {type} in the compiled template, found {found.Count}.");
        return found[0];
    }

    /// <summary>The nested template deployed under <paramref name="deploymentName"/>, at any depth.</summary>
    public ArmTemplate Module(string deploymentName) =>
        SelfAndDescendants().SingleOrDefault(t => t.Parent is not null && t.Name == deploymentName)
        ?? throw new InvalidOperationException($"No module deployed as '{deploymentName}' under '{Name}'.");

    /// <summary>The parameter's declared type (<c>string</c>, <c>securestring</c>, ...), lower case; null if undeclared.</summary>
    public string? ParameterType(string parameter) =>
        Root["parameters"]?[parameter]?["type"]?.GetValue<string>().ToLowerInvariant();

    /// <summary>The parameter's default value, if any.</summary>
    public JsonNode? ParameterDefault(string parameter) => Root["parameters"]?[parameter]?["defaultValue"];

    /// <summary>Names of the parameters declared <c>securestring</c> or <c>secureobject</c>.</summary>
    public IReadOnlyList<string> SecureParameters() =>
        (Root["parameters"]?.AsObject() ?? [])
            .Where(p => p.Value?["type"]?.GetValue<string>().StartsWith("secure", StringComparison.OrdinalIgnoreCase) == true)
            .Select(p => p.Key)
            .ToList();

    /// <summary>
    /// What the parent passes for <paramref name="parameter"/>, as JSON text (an expression string or a literal),
    /// or null when nothing is passed. A conditional binding compiles to one expression over the whole
    /// <c>{"value": ...}</c> object; that expression is returned.
    /// </summary>
    public string? Binding(string parameter)
    {
        var bound = Deployment?["properties"]?["parameters"]?[parameter];
        return bound switch
        {
            null => null,
            JsonObject o when o["value"] is JsonValue v && v.TryGetValue<string>(out var s) => s,
            JsonObject o => o["value"] is { } value ? Text(value) : null,
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => Text(bound),
        };
    }

    /// <summary>The value expression of output <paramref name="output"/>.</summary>
    public string Output(string output) =>
        Root["outputs"]?[output]?["value"] switch
        {
            null => throw new InvalidOperationException($"Template '{Name}' has no output '{output}'."),
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            var other => Text(other),
        };

    /// <summary>The value of variable <paramref name="variable"/>; null if undeclared.</summary>
    public JsonNode? Variable(string variable) => Root["variables"]?[variable];

    /// <summary>
    /// Replaces <c>variables('x')</c> by the literal of every string variable, so role ids kept in variables
    /// read as their GUIDs.
    /// </summary>
    public string ResolveVariables(string expression) =>
        VariableReference().Replace(expression, m =>
            Root["variables"]?[m.Groups[1].Value] is JsonValue v && v.TryGetValue<string>(out var s) && !s.StartsWith('[')
                ? $"'{s}'"
                : m.Value);

    /// <summary>The module output an expression reads, if it reads exactly one.</summary>
    public static ModuleOutput? ModuleOutputIn(string? expression)
    {
        if (expression is null)
        {
            return null;
        }

        var matches = ModuleOutputReference().Matches(expression);
        var distinct = matches.Select(m => new ModuleOutput(m.Groups[1].Value, m.Groups[2].Value)).Distinct().ToList();
        return distinct.Count == 1 ? distinct[0] : null;
    }

    /// <summary>The parameter an expression is exactly (<c>[parameters('x')]</c>), if it is one.</summary>
    public static string? ParameterIn(string? expression) =>
        expression is not null && ExactParameter().Match(expression) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>The names of all parameters an expression reads.</summary>
    public static IReadOnlyList<string> ParametersIn(string expression) =>
        AnyParameter().Matches(expression).Select(m => m.Groups[1].Value).Distinct().ToList();

    /// <summary>
    /// A node as JSON text with quotes left as they are, so expressions nested in objects and arrays still read
    /// <c>parameters('x')</c> (the default encoder writes <c>'</c> as <c>\u0027</c>).
    /// </summary>
    public static string Text(JsonNode node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node.ToJsonString(RelaxedJson);

    /// <summary>The resource's <c>type</c>.</summary>
    public static string TypeOf(JsonObject resource) => resource["type"]?.GetValue<string>() ?? "";

    /// <summary>The resource's <c>name</c> (literal or expression).</summary>
    public static string ResourceName(JsonObject resource) => resource["name"]?.GetValue<string>() ?? "";

    /// <summary>Whether the resource is of <paramref name="type"/> (ARM types are case-insensitive).</summary>
    public static bool IsType(JsonObject resource, string type) =>
        string.Equals(TypeOf(resource), type, StringComparison.OrdinalIgnoreCase);

    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // languageVersion 2.0 templates (symbolic names) hold resources as an object keyed by symbol; older ones
    // as an array. Which one Bicep emits depends on the features a file uses, so read both.
    private static List<JsonObject> ResourceList(JsonObject template) => template["resources"] switch
    {
        JsonArray array => array.OfType<JsonObject>().ToList(),
        JsonObject symbols => symbols.Select(p => p.Value).OfType<JsonObject>().ToList(),
        _ => [],
    };

    [GeneratedRegex(@"variables\('([^']+)'\)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"'Microsoft\.Resources/deployments',\s*'([^']+)'\)(?:,\s*'[^']*')?\)\.outputs\.([A-Za-z0-9_]+)\.value")]
    private static partial Regex ModuleOutputReference();

    [GeneratedRegex(@"^\[parameters\('([^']+)'\)\]$")]
    private static partial Regex ExactParameter();

    [GeneratedRegex(@"parameters\('([^']+)'\)")]
    private static partial Regex AnyParameter();
}
