using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DistillOperator.Testing.Emulator;

/// <summary>
/// An HTTP server on 127.0.0.1 that speaks the Kubernetes REST and watch protocol over an <see cref="ObjectStore"/>:
/// discovery, CRUD, the status subresource, merge and JSON patch, list and watch with resourceVersion, bookmarks and
/// 410 Gone. Differences from a real API server are listed in EMULATOR.md beside this file.
/// </summary>
public sealed class KubernetesEmulator : IAsyncDisposable
{
    /// <summary>The bearer token of the emulator's administrator, which RBAC never restricts.</summary>
    public const string AdminToken = "emulator";

    private readonly WebApplication _app;
    private readonly Dictionary<string, string> _users = new(StringComparer.Ordinal) { [AdminToken] = "system:admin" };
    private readonly List<AccessAttempt> _accessLog = [];

    private KubernetesEmulator(WebApplication app, ObjectStore store, Uri baseUri)
    {
        _app = app;
        Store = store;
        BaseUri = baseUri;
    }

    /// <summary>The storage behind the server.</summary>
    public ObjectStore Store { get; }

    /// <summary>The server's address, http://127.0.0.1:PORT.</summary>
    public Uri BaseUri { get; }

    /// <summary>When true, requests are authorised by the RBAC objects in the store (the administrator token excepted).</summary>
    public bool EnforceRbac { get; set; }

    /// <summary>Every resource request by a user other than the administrator, with RBAC's answer, in order.</summary>
    public IReadOnlyList<AccessAttempt> AccessLog
    {
        get
        {
            lock (_accessLog)
            {
                return [.. _accessLog];
            }
        }
    }

    /// <summary>Issues a bearer token for a service account and returns it.</summary>
    public string TokenFor(string ns, string serviceAccount)
    {
        var token = $"sa-{ns}-{serviceAccount}-{Guid.NewGuid():N}";
        lock (_users)
        {
            _users[token] = $"system:serviceaccount:{ns}:{serviceAccount}";
        }

        return token;
    }

    /// <summary>Where GET pods/NAME/log reads a pod's logs from (the kubelet's); null answers 404.</summary>
    public Func<string, string, string?>? PodLogs { get; set; }

    /// <summary>Faults to inject into the next requests.</summary>
    public FaultInjector Faults { get; } = new();

    /// <summary>How often a watch that allows bookmarks gets one.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Starts a server on a free loopback port.</summary>
    public static async Task<KubernetesEmulator> StartAsync(ObjectStore? store = null, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var emulator = (KubernetesEmulator?)null;
        app.Run(context => emulator!.HandleAsync(context));
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator = new KubernetesEmulator(app, store ?? new ObjectStore(), new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
        foreach (var ns in new[] { "default", "kube-system" })
        {
            emulator.Store.Create(emulator.Store.Find("", "v1", "namespaces")!, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } });
        }

        return emulator;
    }

    /// <summary>A KubernetesClient talking to this server, as the administrator or with the given token.</summary>
    public Kubernetes CreateClient(string token = AdminToken) => new(new KubernetesClientConfiguration { Host = BaseUri.ToString().TrimEnd('/'), AccessToken = token });

    /// <summary>Writes a kubeconfig for this server (for kubectl and for programs started with KUBECONFIG).</summary>
    public void WriteKubeconfig(string path, string token = AdminToken)
    {
        var server = BaseUri.ToString().TrimEnd('/');
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: emulator
              cluster:
                server: {server}
            contexts:
            - name: emulator
              context:
                cluster: emulator
                namespace: default
                user: emulator
            current-context: emulator
            users:
            - name: emulator
              user:
                token: {token}
            """);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        try
        {
            var (faultCode, faultDelay) = Faults.For(context.Request.Method, context.Request.Path.Value ?? "");
            if (faultDelay > TimeSpan.Zero)
            {
                await Task.Delay(faultDelay, context.RequestAborted).ConfigureAwait(false);
            }

            if (faultCode is { } injected)
            {
                throw new ApiError(injected, injected switch { 409 => "Conflict", 429 => "TooManyRequests", 500 => "InternalError", 503 => "ServiceUnavailable", _ => "Injected" }, $"injected fault: {injected}");
            }

            var segments = context.Request.Path.Value!.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
            switch (segments)
            {
                case ["version"]:
                    await WriteJson(context, 200, new JsonObject { ["major"] = "1", ["minor"] = "35", ["gitVersion"] = "v1.35.0-distill-emulator" }).ConfigureAwait(false);
                    return;
                case ["api"]:
                    await WriteJson(context, 200, new JsonObject { ["kind"] = "APIVersions", ["versions"] = new JsonArray("v1"), ["serverAddressByClientCIDRs"] = new JsonArray() }).ConfigureAwait(false);
                    return;
                case ["apis"]:
                    await WriteJson(context, 200, Discovery.Groups(Store.Types)).ConfigureAwait(false);
                    return;
                case ["openapi", "v3"]:
                    await WriteJson(context, 200, OpenApiDocuments.Index(Store.Types)).ConfigureAwait(false);
                    return;
                case ["openapi", "v3", "api", var coreVersion]:
                    await WriteJson(context, 200, OpenApiDocuments.GroupVersion("", coreVersion, Store.Types)).ConfigureAwait(false);
                    return;
                case ["openapi", "v3", "apis", var openApiGroup, var openApiVersion]:
                    await WriteJson(context, 200, OpenApiDocuments.GroupVersion(openApiGroup, openApiVersion, Store.Types)).ConfigureAwait(false);
                    return;
                case ["api", var version]:
                    await WriteJson(context, 200, Discovery.Resources("", version, Store.Types)).ConfigureAwait(false);
                    return;
                case ["apis", var group, var version]:
                    await WriteJson(context, 200, Discovery.Resources(group, version, Store.Types)).ConfigureAwait(false);
                    return;
                case ["api", var version, .. var rest]:
                    await HandleResourceAsync(context, "", version, rest).ConfigureAwait(false);
                    return;
                case ["apis", var group, var version, .. var rest]:
                    await HandleResourceAsync(context, group, version, rest).ConfigureAwait(false);
                    return;
                default:
                    throw new ApiError(404, "NotFound", $"the server could not find the requested resource ({context.Request.Path})");
            }
        }
        catch (ApiError e)
        {
            if (!context.Response.HasStarted)
            {
                await WriteJson(context, e.Code, e.ToStatus()).ConfigureAwait(false);
            }
        }
        catch (JsonException e)
        {
            if (!context.Response.HasStarted)
            {
                await WriteJson(context, 400, new ApiError(400, "BadRequest", $"the body is not valid JSON: {e.Message}").ToStatus()).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An emulator bug: say so in the Status body, so the failing test shows it.
            if (!context.Response.HasStarted)
            {
                await WriteJson(context, 500, new ApiError(500, "InternalError", e.ToString()).ToStatus()).ConfigureAwait(false);
            }
        }
    }

    private async Task HandleResourceAsync(HttpContext context, string group, string version, string[] rest)
    {
        // namespaces/NS/PLURAL[/NAME[/SUB]] or PLURAL[/NAME[/SUB]]
        string? ns = null;
        if (rest is ["namespaces", var namespaceName, _, ..])
        {
            ns = namespaceName;
            rest = rest[2..];
        }

        var type = rest.Length > 0 ? Store.Find(group, version, rest[0]) : null;
        if (type is null)
        {
            throw new ApiError(404, "NotFound", $"the server could not find the requested resource ({context.Request.Path})");
        }

        var name = rest.Length > 1 ? rest[1] : null;
        var subresource = rest.Length > 2 ? rest[2] : null;
        if (subresource is not (null or "status") && !(subresource == "log" && type.Plural == "pods"))
        {
            throw new ApiError(404, "NotFound", $"the server could not find the requested resource ({subresource})");
        }

        var query = context.Request.Query;
        var method = context.Request.Method;
        Authorize(context, type, ns, name, subresource);
        if (subresource == "log")
        {
            Store.Get(type, ns, name!);
            var logs = PodLogs?.Invoke(ns ?? "", name!) ?? throw new ApiError(404, "NotFound", $"no logs for pod \"{name}\"");
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(logs).ConfigureAwait(false);
            return;
        }

        if (method == "GET" && name is null && query["watch"] is { Count: > 0 } watch && watch[0] is "true" or "1")
        {
            await WatchAsync(context, type, ns).ConfigureAwait(false);
            return;
        }

        JsonObject result;
        var code = 200;
        switch (method)
        {
            case "GET" when TableOutput.Wanted(context.Request.Headers.Accept):
                var (tableItems, tableRevision) = name is null
                    ? Store.List(type, ns, LabelSelector.Parse(query["labelSelector"]), query["fieldSelector"])
                    : ([Store.Get(type, ns, name)], Store.Revision);
                result = TableOutput.For(type, tableItems, tableRevision, DateTimeOffset.UtcNow);
                break;
            case "GET" when name is null:
                var (items, revision) = Store.List(type, ns, LabelSelector.Parse(query["labelSelector"]), query["fieldSelector"]);
                result = new JsonObject
                {
                    ["apiVersion"] = type.ApiVersion,
                    ["kind"] = type.ListKind,
                    ["metadata"] = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) },
                    ["items"] = new JsonArray([.. items]),
                };
                break;
            case "GET":
                result = Store.Get(type, ns, name!);
                break;
            case "POST" when name is null:
                result = Store.Create(type, ns, await ReadObject(context).ConfigureAwait(false));
                code = 201;
                break;
            case "PUT" when name is not null:
                result = Store.Replace(type, ns, name, await ReadObject(context).ConfigureAwait(false), subresource == "status");
                break;
            case "PATCH" when name is not null:
                var patch = await JsonNode.ParseAsync(context.Request.Body).ConfigureAwait(false) ?? throw new ApiError(400, "BadRequest", "empty patch");
                result = Store.Patch(type, ns, name, context.Request.ContentType ?? "application/merge-patch+json", patch, subresource == "status");
                break;
            case "DELETE" when name is not null:
                var options = context.Request.ContentLength > 0 ? await JsonNode.ParseAsync(context.Request.Body).ConfigureAwait(false) : null;
                result = Store.Delete(type, ns, name, (string?)options?["propagationPolicy"] ?? query["propagationPolicy"]);
                break;
            default:
                throw new ApiError(405, "MethodNotAllowed", $"{method} is not supported on {context.Request.Path}");
        }

        await WriteJson(context, code, result).ConfigureAwait(false);
    }

    private void Authorize(HttpContext context, ResourceType type, string? ns, string? name, string? subresource)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : null;
        string? user;
        lock (_users)
        {
            user = token is null ? null : _users.GetValueOrDefault(token);
        }

        if (!EnforceRbac || user == "system:admin")
        {
            return;
        }

        if (user is null)
        {
            throw new ApiError(401, "Unauthorized", "Unauthorized");
        }

        var watching = context.Request.Query["watch"] is { Count: > 0 } w && w[0] is "true" or "1";
        var verb = context.Request.Method switch
        {
            "GET" when name is null => watching ? "watch" : "list",
            "GET" => "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => context.Request.Method.ToLowerInvariant(),
        };
        var resource = subresource is null ? type.Plural : $"{type.Plural}/{subresource}";
        var attempt = new AccessAttempt(user, verb, type.Group, resource, ns, name);
        var allowed = RbacAuthorizer.Allows(Store, attempt);
        lock (_accessLog)
        {
            _accessLog.Add(attempt with { Allowed = allowed });
        }

        if (!allowed)
        {
            var where = ns is null ? "at the cluster scope" : $"in the namespace \"{ns}\"";
            throw new ApiError(403, "Forbidden", $"{resource}{(type.Group.Length > 0 ? "." + type.Group : "")}{(name is null ? "" : $" \"{name}\"")} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{type.Group}\" {where}");
        }
    }

    private async Task WatchAsync(HttpContext context, ResourceType type, string? ns)
    {
        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var bookmarks = query["allowWatchBookmarks"] is { Count: > 0 } b && b[0] == "true";
        var timeout = int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(30);
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, Faults.WatchToken);
        lifetime.CancelAfter(timeout);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        var fields = ObjectStore.ParseFieldSelector(query["fieldSelector"]);
        // A watch list (client-go's informers, kubectl wait): the current objects as ADDED events, then a bookmark that
        // marks their end, then the changes since, as an API server with WatchList does.
        var initial = query["sendInitialEvents"] is { Count: > 0 } send && send[0] == "true";
        List<JsonObject> initialItems = [];
        long initialRevision = 0;
        System.Threading.Channels.ChannelReader<WatchEvent> events;
        try
        {
            if (initial)
            {
                var (items, revision) = Store.List(type, ns, labels, query["fieldSelector"]);
                (initialItems, initialRevision) = (items, revision);
                events = Store.Watch(type, ns, revision.ToString(CultureInfo.InvariantCulture), lifetime.Token);
            }
            else
            {
                events = Store.Watch(type, ns, query["resourceVersion"], lifetime.Token);
            }
        }
        catch (ApiError gone) when (gone.Code == 410)
        {
            // A real API server answers 200 and sends the 410 as an ERROR event.
            await WriteLine(context, new JsonObject { ["type"] = "ERROR", ["object"] = gone.ToStatus() }.ToJsonString(), lifetime.Token).ConfigureAwait(false);
            return;
        }

        await context.Response.Body.FlushAsync(lifetime.Token).ConfigureAwait(false);
        try
        {
            if (initial)
            {
                foreach (var item in initialItems)
                {
                    await WriteLine(context, new JsonObject { ["type"] = "ADDED", ["object"] = item }.ToJsonString(), lifetime.Token).ConfigureAwait(false);
                }

                var end = new JsonObject
                {
                    ["apiVersion"] = type.ApiVersion,
                    ["kind"] = type.Kind,
                    ["metadata"] = new JsonObject
                    {
                        ["resourceVersion"] = initialRevision.ToString(CultureInfo.InvariantCulture),
                        ["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" },
                    },
                };
                await WriteLine(context, new JsonObject { ["type"] = "BOOKMARK", ["object"] = end }.ToJsonString(), lifetime.Token).ConfigureAwait(false);
            }

            while (!lifetime.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token);
                wait.CancelAfter(BookmarkInterval);
                try
                {
                    var change = await events.ReadAsync(wait.Token).ConfigureAwait(false);
                    if ((labels.Matches(change.Object) || change.Type == "DELETED") && fields(change.Object))
                    {
                        await WriteLine(context, change.ToLine(), lifetime.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (!lifetime.IsCancellationRequested && bookmarks)
                {
                    var bookmark = new JsonObject
                    {
                        ["apiVersion"] = type.ApiVersion,
                        ["kind"] = type.Kind,
                        ["metadata"] = new JsonObject { ["resourceVersion"] = Store.Revision.ToString(CultureInfo.InvariantCulture) },
                    };
                    await WriteLine(context, new JsonObject { ["type"] = "BOOKMARK", ["object"] = bookmark }.ToJsonString(), lifetime.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!lifetime.IsCancellationRequested)
                {
                    // no bookmarks asked for: keep waiting
                }
            }
        }
        catch (OperationCanceledException)
        {
            // timeoutSeconds reached or the client went away: the stream ends, as a real server's does
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
        }
    }

    private static async Task WriteLine(HttpContext context, string line, CancellationToken cancellation)
    {
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cancellation).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(cancellation).ConfigureAwait(false);
    }

    private static async Task<JsonObject> ReadObject(HttpContext context) =>
        await JsonNode.ParseAsync(context.Request.Body).ConfigureAwait(false) as JsonObject ?? throw new ApiError(400, "BadRequest", "the body must be a JSON object");

    private static async Task WriteJson(HttpContext context, int code, JsonObject body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString()).ConfigureAwait(false);
    }
}
