using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Queues;
using Spectre.Console;

namespace AgentFunctions.Cli;

/// <summary>
/// The <c>agentfn</c> command tree: <c>ask</c>, <c>status</c>, <c>list</c>, <c>approve</c> / <c>reject</c> /
/// <c>revise</c>, <c>batch</c>, <c>purge</c>. Options come from the command line first, then the environment
/// (<c>AGENTFUNCTIONS_URL</c>, <c>AGENTFUNCTIONS_KEY</c>, <c>AGENTFUNCTIONS_WEBHOOK_SECRET</c>, <c>AzureWebJobsStorage</c>).
/// </summary>
internal static class AgentFn
{
    public const string DefaultUrl = "http://127.0.0.1:7071";
    public const string UrlVariable = "AGENTFUNCTIONS_URL";
    public const string KeyVariable = "AGENTFUNCTIONS_KEY";
    public const string SecretVariable = "AGENTFUNCTIONS_WEBHOOK_SECRET";
    public const string StorageVariable = "AzureWebJobsStorage";
    public const string BatchQueue = "research-batch";

    private static readonly string[] Terminal = ["Completed", "Failed", "Terminated"];

    /// <summary>Parses and runs a command line; returns the exit code (see <see cref="ExitCodes"/>).</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="console">Where output goes.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="pollInterval">How often a followed run is polled; one second when null.</param>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, Func<string, string?> environment, TimeSpan? pollInterval = null)
    {
        var root = Build(console, environment, pollInterval ?? TimeSpan.FromSeconds(1));
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                console.MarkupLineInterpolated($"[red]agentfn: {error.Message}[/]");
            }

            console.MarkupLine("Run [bold]agentfn --help[/] for usage.");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration { Output = console.Profile.Out.Writer, Error = console.Profile.Out.Writer, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(invocation);
        }
        catch (CliException ex)
        {
            console.MarkupLineInterpolated($"[red]agentfn: {ex.Message}[/]");
            return ex.ExitCode;
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine("[yellow]agentfn: cancelled.[/]");
            return ExitCodes.Unreachable;
        }
    }

    /// <summary>The command tree, for running and for parsing tests.</summary>
    internal static RootCommand Build(IAnsiConsole console, Func<string, string?> environment, TimeSpan pollInterval)
    {
        var url = new Option<string?>("--url") { Description = $"Base URL of the host or app (default {UrlVariable}, else {DefaultUrl}).", Recursive = true };
        var key = new Option<string?>("--key") { Description = $"Function key, sent as x-functions-key (default {KeyVariable}); the management routes (list, purge) need a system key.", Recursive = true };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON instead of a rendered view.", Recursive = true };
        var root = new RootCommand("agentfn: ask research questions, follow and review runs of an AgentFunctions host or app.");
        root.Options.Add(url);
        root.Options.Add(key);
        root.Options.Add(json);

        Session Open(ParseResult parse) => new(console, environment, parse.GetValue(url), parse.GetValue(key), parse.GetValue(json), pollInterval);

        root.Subcommands.Add(AskCommand(Open));
        root.Subcommands.Add(StatusCommand(Open));
        root.Subcommands.Add(ListCommand(Open));
        foreach (var decision in new[] { "approve", "reject", "revise" })
        {
            root.Subcommands.Add(DecisionCommand(decision, Open));
        }

        root.Subcommands.Add(BatchCommand(Open));
        root.Subcommands.Add(PurgeCommand(Open));
        return root;
    }

    private static Command AskCommand(Func<ParseResult, Session> open)
    {
        var question = new Argument<string>("question") { Description = "The research question." };
        var maxSources = new Option<int?>("--max-sources") { Description = "Most sources that reach validation (1 to 50; default 8)." };
        var noApproval = new Option<bool>("--no-approval") { Description = "Publish without waiting for a reviewer." };
        var approvalTimeout = new Option<string?>("--approval-timeout") { Description = "How long to wait for the reviewer, ISO-8601 (PT24H, P2D)." };
        var tokenBudget = new Option<int?>("--token-budget") { Description = "Tokens the run may spend on model calls (1000 to 1000000; default 20000)." };
        var callbackUrl = new Option<string?>("--callback-url") { Description = "Where the published result is POSTed." };
        var idempotencyKey = new Option<string?>("--idempotency-key") { Description = "Makes a retried ask return the same run instead of starting another." };
        var noFollow = new Option<bool>("--no-follow") { Description = "Print the run id and return at once." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to follow the run before giving up (it keeps running).", DefaultValueFactory = _ => 600 };
        timeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--timeout must be at least 1 second.");
            }
        });
        var command = new Command("ask", "Submit a question, follow its phases, print the report (or the draft awaiting review).")
        {
            question, maxSources, noApproval, approvalTimeout, tokenBudget, callbackUrl, idempotencyKey, noFollow, timeout,
        };
        command.SetAction(async (parse, ct) =>
        {
            using var session = open(parse);
            var body = new JsonObject { ["question"] = parse.GetValue(question) };
            if (parse.GetValue(maxSources) is { } sources)
            {
                body["maxSources"] = sources;
            }

            var requireApproval = !parse.GetValue(noApproval);
            body["requireApproval"] = requireApproval;
            if (parse.GetValue(approvalTimeout) is { } wait)
            {
                body["approvalTimeout"] = wait;
            }

            if (parse.GetValue(tokenBudget) is { } budget)
            {
                body["tokenBudget"] = budget;
            }

            if (parse.GetValue(callbackUrl) is { } callback)
            {
                body["callbackUrl"] = callback;
            }

            return await session.AskAsync(body, parse.GetValue(idempotencyKey), requireApproval, !parse.GetValue(noFollow), TimeSpan.FromSeconds(parse.GetValue(timeout)), ct);
        });
        return command;
    }

    private static Command StatusCommand(Func<ParseResult, Session> open)
    {
        var id = new Argument<string>("id") { Description = "The run's instance id." };
        var command = new Command("status", "Show a run: status, phase, progress, outcome and report.") { id };
        command.SetAction(async (parse, ct) =>
        {
            using var session = open(parse);
            return await session.StatusAsync(parse.GetValue(id)!, ct);
        });
        return command;
    }

    private static Command ListCommand(Func<ParseResult, Session> open)
    {
        var status = new Option<string[]>("--status")
        {
            Description = "Only runs in these runtime statuses (Pending, Running, Completed, Failed, Terminated, Suspended); repeat or comma-separate.",
            AllowMultipleArgumentsPerToken = true,
        };
        var top = new Option<int>("--top") { Description = "Most runs to show (1 to 1000).", DefaultValueFactory = _ => 20 };
        top.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 1000)
            {
                r.AddError("--top must be from 1 to 1000.");
            }
        });
        var prefix = new Option<string?>("--prefix") { Description = "Only instance ids starting with this (batch-<id> for a batch)." };
        var command = new Command("list", "List runs, newest first.") { status, top, prefix };
        command.SetAction(async (parse, ct) =>
        {
            using var session = open(parse);
            var statuses = (parse.GetValue(status) ?? []).SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            return await session.ListAsync(statuses, parse.GetValue(top), parse.GetValue(prefix), ct);
        });
        return command;
    }

    private static Command DecisionCommand(string decision, Func<ParseResult, Session> open)
    {
        var id = new Argument<string>("id") { Description = "The run awaiting review." };
        var reviewer = new Option<string>("--reviewer") { Description = "Who decides (required: decisions are never anonymous).", Required = true };
        var comment = new Option<string?>("--comment") { Description = decision == "revise" ? "What to change (required for revise)." : "A note kept with the decision." };
        var secret = new Option<string?>("--secret") { Description = $"The webhook secret (default {SecretVariable}; ./run.sh keeps the local one in .azurite/webhook-secret)." };
        var what = decision switch { "approve" => "Approve the draft: it is published.", "reject" => "Reject the draft: nothing is published.", _ => "Ask for a revision with --comment as the feedback." };
        var command = new Command(decision, what + " Sends a signed POST /api/approvals/{id}.") { id, reviewer, comment, secret };
        command.Validators.Add(r =>
        {
            if (string.IsNullOrWhiteSpace(r.GetValue(reviewer)))
            {
                r.AddError("--reviewer must name who decides.");
            }

            if (decision == "revise" && string.IsNullOrWhiteSpace(r.GetValue(comment)))
            {
                r.AddError("revise needs --comment: it is the feedback the report is revised with.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            using var session = open(parse);
            return await session.DecideAsync(parse.GetValue(id)!, decision, parse.GetValue(reviewer)!, parse.GetValue(comment), parse.GetValue(secret), ct);
        });
        return command;
    }

    private static Command BatchCommand(Func<ParseResult, Session> open)
    {
        var file = new Argument<string>("file") { Description = "A .json list of questions (or a whole batch message), or a .jsonl file with one question per line." };
        var storage = new Option<string?>("--storage") { Description = $"The storage connection string (default {StorageVariable}, else UseDevelopmentStorage=true)." };
        var batchId = new Option<string?>("--batch-id") { Description = "The batch id (the run is batch-<id>); generated when neither this nor the file gives one." };
        var requireApproval = new Option<bool>("--require-approval") { Description = "Every question waits for a reviewer." };
        var queue = new Option<string>("--queue") { Description = "The queue.", DefaultValueFactory = _ => BatchQueue };
        var encoding = new Option<string>("--encoding") { Description = "Message encoding; must match host.json extensions.queues.messageEncoding.", DefaultValueFactory = _ => "base64" };
        encoding.AcceptOnlyFromAmong("base64", "none");
        var command = new Command("batch", "Send a file of questions to the research-batch queue; the host starts batch-<id>.") { file, storage, batchId, requireApproval, queue, encoding };
        command.SetAction(async (parse, ct) =>
        {
            using var session = open(parse);
            var message = BatchFile.Read(parse.GetValue(file)!, parse.GetValue(batchId), parse.GetValue(requireApproval), DateTimeOffset.UtcNow);
            return await session.SendBatchAsync(message, parse.GetValue(storage), parse.GetValue(queue)!, parse.GetValue(encoding) == "base64", ct);
        });
        return command;
    }

    private static Command PurgeCommand(Func<ParseResult, Session> open)
    {
        var id = new Argument<string>("id") { Description = "A finished run's instance id." };
        var command = new Command("purge", "Delete a finished run's history and status.") { id };
        command.SetAction(async (parse, ct) =>
        {
            using var session = open(parse);
            return await session.PurgeAsync(parse.GetValue(id)!, ct);
        });
        return command;
    }

    /// <summary>One command's connection to the API and its output.</summary>
    private sealed class Session : IDisposable
    {
        private readonly IAnsiConsole _console;
        private readonly Func<string, string?> _environment;
        private readonly bool _json;
        private readonly TimeSpan _pollInterval;
        private readonly ApiClient _api;

        public Session(IAnsiConsole console, Func<string, string?> environment, string? url, string? key, bool json, TimeSpan pollInterval)
        {
            _console = console;
            _environment = environment;
            _json = json;
            _pollInterval = pollInterval;
            var text = Blank(url) ?? Blank(environment(UrlVariable)) ?? DefaultUrl;
            if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
            {
                throw new CliException(ExitCodes.Usage, $"'{text}' is not an http(s) URL; set --url or {UrlVariable}, e.g. {DefaultUrl}.");
            }

            _api = new ApiClient(new HttpClient { Timeout = TimeSpan.FromSeconds(100) }, baseUrl, Blank(key) ?? Blank(environment(KeyVariable)));
        }

        public void Dispose() => _api.Dispose();

        public async Task<int> AskAsync(JsonObject body, string? idempotencyKey, bool requireApproval, bool follow, TimeSpan timeout, CancellationToken ct)
        {
            var headers = idempotencyKey is null ? null : new Dictionary<string, string> { ["Idempotency-Key"] = idempotencyKey };
            var (_, accepted, _) = await _api.SendAsync(HttpMethod.Post, "api/research", JsonSerializer.SerializeToUtf8Bytes(body), headers, ct);
            var id = Json.Text(accepted, "id") ?? throw new CliException(ExitCodes.Refused, "The host accepted the question but returned no run id.");
            if (!follow)
            {
                Print(accepted, () => _console.MarkupLineInterpolated($"Submitted [bold]{id}[/]. Follow it with: agentfn status {id}"));
                return ExitCodes.Success;
            }

            if (!_json)
            {
                _console.MarkupLineInterpolated($"Submitted [bold]{id}[/]");
            }

            var status = await FollowAsync(id, requireApproval, timeout, ct);
            Print(status, () => Render(status));
            return Outcome(status);
        }

        public async Task<int> StatusAsync(string id, CancellationToken ct)
        {
            var (_, status, _) = await _api.SendAsync(HttpMethod.Get, $"api/research/{Uri.EscapeDataString(id)}", null, null, ct);
            Print(status, () => Render(status!));
            return ExitCodes.Success;
        }

        public async Task<int> ListAsync(IReadOnlyList<string> statuses, int top, string? prefix, CancellationToken ct)
        {
            var query = $"{ApiClient.ManagementPrefix}instances?top={top}";
            if (statuses.Count > 0)
            {
                query += "&runtimeStatus=" + Uri.EscapeDataString(string.Join(',', statuses));
            }

            if (!string.IsNullOrEmpty(prefix))
            {
                query += "&instanceIdPrefix=" + Uri.EscapeDataString(prefix);
            }

            var (_, body, _) = await _api.SendAsync(HttpMethod.Get, query, null, null, ct);
            var runs = (body as JsonArray ?? []).Where(r => r is not null).OrderByDescending(r => Json.Text(r, "createdTime"), StringComparer.Ordinal).ToList();
            Print(new JsonArray([.. runs.Select(r => r!.DeepClone())]), () =>
            {
                if (runs.Count == 0)
                {
                    _console.MarkupLine("No runs.");
                    return;
                }

                var table = new Table().AddColumns("Id", "Status", "Phase / outcome", "Created", "Question");
                foreach (var run in runs)
                {
                    table.AddRow(
                        Markup.Escape(Json.Text(run, "instanceId") ?? "?"),
                        Markup.Escape(Json.Text(run, "runtimeStatus") ?? "?"),
                        Markup.Escape(Json.Text(run, "output", "outcome") ?? Json.Text(run, "customStatus", "phase") ?? string.Empty),
                        Markup.Escape(Json.Text(run, "createdTime") ?? string.Empty),
                        Markup.Escape(Shorten(Json.Text(run, "input", "question") ?? Json.Text(run, "name") ?? string.Empty, 60)));
                }

                _console.Write(table);
            });
            return ExitCodes.Success;
        }

        public async Task<int> DecideAsync(string id, string decision, string reviewer, string? comment, string? secretOption, CancellationToken ct)
        {
            var secrets = Blank(secretOption) ?? Blank(_environment(SecretVariable))
                ?? throw new CliException(ExitCodes.Usage, $"No webhook secret: pass --secret or set {SecretVariable} (./run.sh keeps the local one in .azurite/webhook-secret).");

            // A rotation list (as the host is configured) signs with its first secret, the current one.
            var secret = secrets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
            var body = new JsonObject { ["decision"] = decision, ["reviewer"] = reviewer.Trim() };
            if (!string.IsNullOrWhiteSpace(comment))
            {
                body["comment"] = comment;
            }

            var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
            var delivery = WebhookSigner.NewDeliveryId();
            var headers = new Dictionary<string, string>
            {
                [WebhookSigner.SignatureHeader] = WebhookSigner.Sign(secret, DateTimeOffset.UtcNow, bytes),
                [WebhookSigner.DeliveryHeader] = delivery,
            };
            var (_, answer, _) = await _api.SendAsync(HttpMethod.Post, $"api/approvals/{Uri.EscapeDataString(id)}", bytes, headers, ct);
            Print(answer, () => _console.MarkupLineInterpolated($"[green]{decision}[/] accepted for [bold]{id}[/] by {reviewer} (delivery {delivery})."));
            return ExitCodes.Success;
        }

        public async Task<int> SendBatchAsync(JsonObject message, string? storageOption, string queueName, bool base64, CancellationToken ct)
        {
            var connection = Blank(storageOption) ?? Blank(_environment(StorageVariable)) ?? "UseDevelopmentStorage=true";
            var text = message.ToJsonString();
            try
            {
                var queue = new QueueClient(connection, queueName, new QueueClientOptions
                {
                    // The Functions queue trigger reads base64 by default (host.json extensions.queues.messageEncoding);
                    // a plain-text message then fails to decode and ends in research-batch-poison.
                    MessageEncoding = base64 ? QueueMessageEncoding.Base64 : QueueMessageEncoding.None,
                });
                await queue.CreateIfNotExistsAsync(cancellationToken: ct);
                await queue.SendMessageAsync(text, ct);
            }
            catch (FormatException ex)
            {
                throw new CliException(ExitCodes.Usage, $"The storage connection string is malformed ({ex.Message}); set --storage or {StorageVariable}.");
            }
            catch (RequestFailedException ex)
            {
                throw new CliException(ExitCodes.Refused, $"The queue '{queueName}' refused the message: {ex.Status} {ex.ErrorCode}.");
            }
            catch (AggregateException ex)
            {
                throw new CliException(ExitCodes.Unreachable, $"Cannot reach the queue '{queueName}': {ex.InnerException?.Message ?? ex.Message}");
            }

            var batchId = Json.Text(message, "batchId");
            var count = (Json.Get(message, "questions") as JsonArray)?.Count ?? 0;
            Print(message, () => _console.MarkupLineInterpolated(
                $"Sent batch [bold]{batchId}[/] ({count} questions) to '{queueName}'. The host starts [bold]batch-{batchId}[/]: agentfn status batch-{batchId}"));
            return ExitCodes.Success;
        }

        public async Task<int> PurgeAsync(string id, CancellationToken ct)
        {
            var (_, body, _) = await _api.SendAsync(HttpMethod.Delete, $"{ApiClient.ManagementPrefix}instances/{Uri.EscapeDataString(id)}", null, null, ct);
            Print(body, () => _console.MarkupLineInterpolated($"Purged [bold]{id}[/]."));
            return ExitCodes.Success;
        }

        private async Task<JsonNode> FollowAsync(string id, bool requireApproval, TimeSpan timeout, CancellationToken ct)
        {
            var started = DateTime.UtcNow;
            JsonNode? status = null;
            string? shown = null;
            // A spinner only where a person watches; redirected output gets the milestone lines alone.
            Func<StatusContext?, Task> poll = async progress =>
            {
                while (true)
                {
                    (_, status, _) = await _api.SendAsync(HttpMethod.Get, $"api/research/{Uri.EscapeDataString(id)}", null, null, ct);
                    var runtime = Json.Text(status, "runtimeStatus") ?? "?";
                    var phase = Json.Text(status, "customStatus", "phase");
                    var elapsed = DateTime.UtcNow - started;
                    var line = $"{phase ?? runtime} · sources found {Json.Int(status, "customStatus", "sourceCounts", "found") ?? 0}, "
                        + $"accepted {Json.Int(status, "customStatus", "sourceCounts", "accepted") ?? 0} · {elapsed:mm\\:ss}";
                    progress?.Status(Markup.Escape(line));
                    var milestone = Terminal.Contains(runtime) ? runtime : phase;
                    if (!_json && milestone is not null && milestone != shown)
                    {
                        _console.MarkupLineInterpolated($"[grey]{elapsed:mm\\:ss}[/] {line}");
                        shown = milestone;
                    }

                    if (Terminal.Contains(runtime) || (requireApproval && phase == "AwaitingApproval"))
                    {
                        return;
                    }

                    if (elapsed > timeout)
                    {
                        throw new CliException(ExitCodes.Unreachable, $"{id} is still {phase ?? runtime} after {timeout.TotalSeconds:0} s; it keeps running. Follow it with: agentfn status {id}");
                    }

                    await Task.Delay(_pollInterval, ct);
                }
            };
            if (_console.Profile.Capabilities.Interactive && !_json)
            {
                await _console.Status().StartAsync("Submitted", context => poll(context));
            }
            else
            {
                await poll(null);
            }

            return status!;
        }

        private static int Outcome(JsonNode status) =>
            Json.Text(status, "runtimeStatus") is "Failed" or "Terminated" ? ExitCodes.Refused : ExitCodes.Success;

        private void Print(JsonNode? body, Action render)
        {
            if (_json)
            {
                // Straight to the writer: the console's own line wrapping would break the JSON.
                _console.Profile.Out.Writer.WriteLine(body?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "null");
            }
            else
            {
                render();
            }
        }

        private void Render(JsonNode status)
        {
            var id = Json.Text(status, "instanceId") ?? "?";
            var runtime = Json.Text(status, "runtimeStatus") ?? "?";
            var phase = Json.Text(status, "customStatus", "phase");
            var outcome = Json.Text(status, "output", "outcome") ?? Json.Text(status, "customStatus", "outcome");
            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("[bold]Run[/]", Markup.Escape(id));
            // A finished run's last phase says where it stopped, not what it is: the outcome line says that.
            grid.AddRow("[bold]Status[/]", Markup.Escape(runtime + (phase is null || Terminal.Contains(runtime) ? string.Empty : $" ({phase})")));
            if (outcome is not null)
            {
                grid.AddRow("[bold]Outcome[/]", Markup.Escape(outcome));
            }

            if (Json.Text(status, "input", "question") is { } question)
            {
                grid.AddRow("[bold]Question[/]", Markup.Escape(question));
            }

            if (Json.Get(Json.Get(status, "customStatus"), "sourceCounts") is { } counts)
            {
                grid.AddRow("[bold]Sources[/]", Markup.Escape($"found {Json.Int(counts, "found") ?? 0}, accepted {Json.Int(counts, "accepted") ?? 0}, rejected {Json.Int(counts, "rejected") ?? 0}"));
            }

            if (Json.Text(status, "customStatus", "decideBy") is { } decideBy && phase == "AwaitingApproval")
            {
                grid.AddRow("[bold]Decide by[/]", Markup.Escape(decideBy));
            }

            _console.Write(grid);
            if (runtime == "Failed")
            {
                _console.MarkupLineInterpolated($"[red]Failed:[/] {Json.Text(status, "output") ?? Json.Text(status, "output", "errorMessage") ?? "no reason given"}");
                return;
            }

            var report = Json.Get(Json.Get(status, "output"), "report") ?? Json.Get(Json.Get(status, "customStatus"), "draft");
            if (report is not null)
            {
                RenderReport(report, draft: Json.Get(Json.Get(status, "output"), "report") is null);
            }

            if (phase == "AwaitingApproval" && runtime is "Running" or "Pending")
            {
                _console.MarkupLineInterpolated($"Awaiting review. Decide with: agentfn approve {id} --reviewer NAME   (or reject, or revise --comment \"...\")");
            }
        }

        private void RenderReport(JsonNode report, bool draft)
        {
            _console.WriteLine();
            _console.MarkupLineInterpolated($"[bold underline]{(draft ? "Draft: " : string.Empty)}{Json.Text(report, "title") ?? "(untitled)"}[/]");
            _console.WriteLine();
            _console.WriteLine(Json.Text(report, "summary") ?? string.Empty);
            var citations = Json.Items(report, "citations").ToList();
            if (citations.Count > 0)
            {
                _console.WriteLine();
                _console.MarkupLine("[bold]Citations[/]");
                foreach (var citation in citations)
                {
                    _console.MarkupLineInterpolated($"  [[{Json.Int(citation, "n") ?? 0}]] {Json.Text(citation, "title") ?? Json.Text(citation, "sourceId")} {Json.Text(citation, "url")}");
                    if (Json.Text(citation, "quote") is { Length: > 0 } quote)
                    {
                        _console.MarkupLineInterpolated($"      [grey]\"{Shorten(quote, 300)}\"[/]");
                    }
                }
            }

            foreach (var conflict in Json.Items(report, "conflicts"))
            {
                _console.MarkupLineInterpolated($"[yellow]Sources disagree:[/] {Json.Text(conflict, "claim")}");
            }

            if (Json.Path(report, "answered") is JsonValue answered && answered.GetValueKind() == JsonValueKind.False)
            {
                _console.MarkupLine("[yellow]The sources found do not answer the question; the report says what is missing.[/]");
            }
        }

        private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "\u2026";

        private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}
