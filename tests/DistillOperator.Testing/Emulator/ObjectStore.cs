using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using DistillOperator.Api.Schema;

namespace DistillOperator.Testing.Emulator;

/// <summary>
/// The emulator's storage with the semantics of a real API server: one resourceVersion sequence over all writes,
/// optimistic concurrency, generation bumped on spec changes only, the status subresource, generateName, label and
/// field selectors, finalizers with deletionTimestamp, ownerReference garbage collection, CRD schema validation with
/// defaults, and a bounded history that watches resume from (older versions get 410 Gone).
/// </summary>
public sealed class ObjectStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ResourceType> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Type, string Namespace, string Name), JsonObject> _objects = [];
    private readonly List<WatchEvent> _history = [];
    private readonly List<(ResourceType Type, string? Namespace, Channel<WatchEvent> Channel)> _watchers = [];
    private readonly int _historyLimit;
    private readonly TimeProvider _time;
    private long _revision = 1;

    /// <summary>Creates a store that keeps the last <paramref name="historyLimit"/> changes for watches to resume from.</summary>
    public ObjectStore(int historyLimit = 1000, TimeProvider? time = null)
    {
        _historyLimit = historyLimit;
        _time = time ?? TimeProvider.System;
        foreach (var type in ResourceType.BuiltIn)
        {
            _types[type.Key] = type;
        }
    }

    /// <summary>The newest resourceVersion.</summary>
    public long Revision
    {
        get
        {
            lock (_lock)
            {
                return _revision;
            }
        }
    }

    /// <summary>The kinds served now (built-in and from CRDs).</summary>
    public IReadOnlyList<ResourceType> Types
    {
        get
        {
            lock (_lock)
            {
                return [.. _types.Values];
            }
        }
    }

    /// <summary>The kind served at group/version/plural, or null.</summary>
    public ResourceType? Find(string group, string version, string plural)
    {
        lock (_lock)
        {
            return _types.TryGetValue($"{group}/{plural}", out var type) && type.Version == version ? type : null;
        }
    }

    /// <summary>Creates an object (POST).</summary>
    public JsonObject Create(ResourceType type, string? ns, JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(body);
        lock (_lock)
        {
            var obj = (JsonObject)body.DeepClone();
            obj["apiVersion"] = type.ApiVersion;
            obj["kind"] = type.Kind;
            var metadata = obj["metadata"] as JsonObject ?? new JsonObject();
            obj["metadata"] = metadata;
            var name = (string?)metadata["name"];
            if (string.IsNullOrEmpty(name))
            {
                var prefix = (string?)metadata["generateName"] ?? throw new ApiError(422, "Invalid", "metadata.name: Required value: name or generateName is required");
                do
                {
                    name = prefix + Guid.NewGuid().ToString("N")[..5];
                }
                while (_objects.ContainsKey((type.Key, ns ?? "", name)));
                metadata["name"] = name;
            }

            if (type.Namespaced)
            {
                if (metadata["namespace"] is { } given && (string?)given != ns)
                {
                    throw new ApiError(400, "BadRequest", $"the namespace of the provided object ({(string?)given}) does not match the namespace sent on the request ({ns})");
                }

                metadata["namespace"] = ns;
            }

            var key = (type.Key, type.Namespaced ? ns ?? "" : "", name);
            if (_objects.ContainsKey(key))
            {
                throw ApiError.AlreadyExists(type, name);
            }

            if (type.HasStatus && type.Schema is not null)
            {
                obj.Remove("status"); // custom resources ignore status on create when it is a subresource
            }

            Validate(type, name, obj);
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = Now();
            metadata["generation"] = 1L;
            metadata.Remove("deletionTimestamp");
            Commit(type, key, obj, "ADDED");
            if (type.Key == "apiextensions.k8s.io/customresourcedefinitions")
            {
                var defined = ResourceType.FromCrd(obj);
                _types[defined.Key] = defined;
            }

            return (JsonObject)obj.DeepClone();
        }
    }

    /// <summary>Reads an object.</summary>
    public JsonObject Get(ResourceType type, string? ns, string name)
    {
        lock (_lock)
        {
            return (JsonObject)Existing(type, ns, name).DeepClone();
        }
    }

    /// <summary>Lists objects, in one namespace or all, filtered by selectors; returns the items and the list's resourceVersion.</summary>
    public (List<JsonObject> Items, long ResourceVersion) List(ResourceType type, string? ns, LabelSelector labels, string? fieldSelector)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(labels);
        var fields = ParseFieldSelector(fieldSelector);
        lock (_lock)
        {
            var items = _objects.Where(p => p.Key.Type == type.Key && (ns is null || p.Key.Namespace == ns))
                .Select(p => p.Value)
                .Where(o => labels.Matches(o) && fields(o))
                .OrderBy(o => (string?)o["metadata"]!["namespace"], StringComparer.Ordinal)
                .ThenBy(o => (string?)o["metadata"]!["name"], StringComparer.Ordinal)
                .Select(o => (JsonObject)o.DeepClone())
                .ToList();
            return (items, _revision);
        }
    }

    /// <summary>
    /// Copies of the objects of a type (in every namespace) that satisfy <paramref name="predicate"/>, unsorted: for
    /// the in-process controllers, which would otherwise copy every object under the lock to look at a few.
    /// </summary>
    public List<JsonObject> Where(ResourceType type, Func<JsonObject, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(predicate);
        lock (_lock)
        {
            return [.. _objects.Where(p => p.Key.Type == type.Key && predicate(p.Value)).Select(p => (JsonObject)p.Value.DeepClone())];
        }
    }

    /// <summary>
    /// How many objects of a type in a namespace satisfy <paramref name="predicate"/>, without copying them: cheap
    /// enough to poll while the store serves requests (a <see cref="List"/> copies and sorts every object under the lock).
    /// </summary>
    public int Count(ResourceType type, string? ns, Func<JsonObject, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(predicate);
        lock (_lock)
        {
            return _objects.Count(p => p.Key.Type == type.Key && (ns is null || p.Key.Namespace == ns) && predicate(p.Value));
        }
    }

    /// <summary>Replaces an object (PUT), or only its status (PUT on /status).</summary>
    public JsonObject Replace(ResourceType type, string? ns, string name, JsonObject body, bool status) =>
        Write(type, ns, name, body, status, patched: false);

    private JsonObject Write(ResourceType type, string? ns, string name, JsonObject body, bool status, bool patched)
    {
        ArgumentNullException.ThrowIfNull(body);
        lock (_lock)
        {
            var current = Existing(type, ns, name);
            var expected = (string?)body["metadata"]?["resourceVersion"];
            if (expected is not null && expected != (string?)current["metadata"]!["resourceVersion"])
            {
                throw ApiError.Conflict(type, name);
            }

            // As the API server: a PUT naming another object's uid (one deleted and re-created under this name) fails
            // its precondition (409). A PATCH has no such precondition: on an object a changed uid is refused as
            // immutable (422); on /status the metadata of the patch is dropped, so a uid there guards nothing.
            var uid = (string?)body["metadata"]?["uid"];
            if (!string.IsNullOrEmpty(uid) && uid != (string?)current["metadata"]!["uid"])
            {
                if (!patched)
                {
                    throw ApiError.UidConflict(type, name, uid, (string?)current["metadata"]!["uid"]);
                }

                if (!status)
                {
                    throw ApiError.Invalid(type, name, [("metadata.uid", "field is immutable")]);
                }
            }

            JsonObject updated;
            if (status)
            {
                updated = (JsonObject)current.DeepClone();
                updated["status"] = body["status"]?.DeepClone();
            }
            else
            {
                updated = (JsonObject)body.DeepClone();
                updated["apiVersion"] = type.ApiVersion;
                updated["kind"] = type.Kind;
                var metadata = updated["metadata"] as JsonObject ?? new JsonObject();
                updated["metadata"] = metadata;
                foreach (var kept in new[] { "uid", "creationTimestamp", "namespace", "name", "deletionTimestamp", "generation" })
                {
                    metadata[kept] = current["metadata"]![kept]?.DeepClone();
                }

                if (type.HasStatus)
                {
                    updated["status"] = current["status"]?.DeepClone();
                }

                if (!JsonNode.DeepEquals(WithoutMetadataAndStatus(current), WithoutMetadataAndStatus(updated)))
                {
                    metadata["generation"] = ((long?)current["metadata"]!["generation"] ?? 0) + 1;
                }
            }

            Validate(type, name, updated);
            var key = Key(type, ns, name);
            if (updated["metadata"]!["deletionTimestamp"] is not null && (updated["metadata"]!["finalizers"] as JsonArray) is null or { Count: 0 })
            {
                Remove(type, key, updated);
                return (JsonObject)updated.DeepClone();
            }

            Commit(type, key, updated, "MODIFIED");
            return (JsonObject)updated.DeepClone();
        }
    }

    /// <summary>Patches an object or its status: merge patch (also for strategic merge) or JSON patch.</summary>
    public JsonObject Patch(ResourceType type, string? ns, string name, string contentType, JsonNode patch, bool status)
    {
        ArgumentNullException.ThrowIfNull(contentType);
        lock (_lock)
        {
            var current = Existing(type, ns, name);
            var patched = contentType.StartsWith("application/json-patch+json", StringComparison.Ordinal)
                ? JsonPatches.Apply(current, patch as JsonArray ?? throw new ApiError(400, "BadRequest", "a JSON patch must be an array of operations"))
                : JsonPatches.Merge(current, patch);
            if (patched is not JsonObject patchedObject)
            {
                throw new ApiError(422, "Invalid", "the patched object is not an object");
            }

            return Write(type, ns, name, patchedObject, status, patched: true);
        }
    }

    /// <summary>Deletes an object: with finalizers it only gets a deletionTimestamp; dependents are collected as the policy says.</summary>
    public JsonObject Delete(ResourceType type, string? ns, string name, string? propagationPolicy)
    {
        lock (_lock)
        {
            var current = Existing(type, ns, name);
            var key = Key(type, ns, name);
            if (current["metadata"]!["finalizers"] is JsonArray { Count: > 0 })
            {
                if (current["metadata"]!["deletionTimestamp"] is null)
                {
                    var marked = (JsonObject)current.DeepClone();
                    marked["metadata"]!["deletionTimestamp"] = Now();
                    Commit(type, key, marked, "MODIFIED");
                    return (JsonObject)marked.DeepClone();
                }

                return (JsonObject)current.DeepClone();
            }

            var uid = (string?)current["metadata"]!["uid"];
            if (propagationPolicy == "Orphan")
            {
                Orphan(uid);
            }
            else
            {
                // Background and Foreground both end with no dependents; the emulator collects them right away.
                CollectDependents(uid);
            }

            Remove(type, key, current);
            return (JsonObject)current.DeepClone();
        }
    }

    /// <summary>
    /// Subscribes to changes of a kind (in one namespace or all) from <paramref name="resourceVersion"/>: null or "0"
    /// starts with ADDED events for the objects that exist; a version older than the retained history throws 410.
    /// </summary>
    public ChannelReader<WatchEvent> Watch(ResourceType type, string? ns, string? resourceVersion, CancellationToken cancellation)
    {
        var channel = Channel.CreateUnbounded<WatchEvent>();
        lock (_lock)
        {
            if (resourceVersion is null or "" or "0")
            {
                foreach (var obj in _objects.Where(p => p.Key.Type == type.Key && (ns is null || p.Key.Namespace == ns)).Select(p => p.Value))
                {
                    channel.Writer.TryWrite(new WatchEvent(_revision, type.Key, "ADDED", (JsonObject)obj.DeepClone()));
                }
            }
            else
            {
                var since = long.Parse(resourceVersion, CultureInfo.InvariantCulture);
                var oldest = _history.Count > 0 ? _history[0].ResourceVersion : _revision;
                if (since < oldest - 1 && since < _revision)
                {
                    throw new ApiError(410, "Expired", $"too old resource version: {since} ({oldest - 1})");
                }

                foreach (var change in _history.Where(e => e.ResourceVersion > since && e.TypeKey == type.Key && (ns is null || (string?)e.Object["metadata"]!["namespace"] == ns)))
                {
                    channel.Writer.TryWrite(change);
                }
            }

            var watcher = (type, ns, channel);
            _watchers.Add(watcher);
            cancellation.Register(() =>
            {
                lock (_lock)
                {
                    _watchers.Remove(watcher);
                }

                channel.Writer.TryComplete();
            });
        }

        return channel.Reader;
    }

    /// <summary>Forgets all history, so every watch that resumes gets 410 Gone (fault injection).</summary>
    public void CompactHistory()
    {
        lock (_lock)
        {
            _history.Clear();
            _revision++;
        }
    }

    private JsonObject Existing(ResourceType type, string? ns, string name) =>
        _objects.TryGetValue(Key(type, ns, name), out var obj) ? obj : throw ApiError.NotFound(type, name);

    private static (string, string, string) Key(ResourceType type, string? ns, string name) => (type.Key, type.Namespaced ? ns ?? "" : "", name);

    private void Commit(ResourceType type, (string, string, string) key, JsonObject obj, string eventType)
    {
        obj["metadata"]!["resourceVersion"] = (++_revision).ToString(CultureInfo.InvariantCulture);
        _objects[key] = obj;
        Publish(new WatchEvent(_revision, type.Key, eventType, (JsonObject)obj.DeepClone()));
    }

    private void Remove(ResourceType type, (string, string, string) key, JsonObject last)
    {
        _objects.Remove(key);
        var gone = (JsonObject)last.DeepClone();
        gone["metadata"]!["resourceVersion"] = (++_revision).ToString(CultureInfo.InvariantCulture);
        Publish(new WatchEvent(_revision, type.Key, "DELETED", gone));
        if (type.Key == "apiextensions.k8s.io/customresourcedefinitions")
        {
            _types.Remove(ResourceType.FromCrd(last).Key);
        }
    }

    private void Publish(WatchEvent change)
    {
        _history.Add(change);
        if (_history.Count > _historyLimit)
        {
            _history.RemoveRange(0, _history.Count - _historyLimit);
        }

        foreach (var (type, ns, channel) in _watchers)
        {
            if (type.Key == change.TypeKey && (ns is null || (string?)change.Object["metadata"]!["namespace"] == ns))
            {
                channel.Writer.TryWrite(change);
            }
        }
    }

    private void CollectDependents(string? ownerUid)
    {
        foreach (var (key, obj) in DependentsOf(ownerUid))
        {
            var type = _types[key.Type];
            if (_objects.ContainsKey(key))
            {
                CollectDependents((string?)obj["metadata"]!["uid"]);
                Remove(type, key, obj);
            }
        }
    }

    private void Orphan(string? ownerUid)
    {
        foreach (var (key, obj) in DependentsOf(ownerUid))
        {
            var orphaned = (JsonObject)obj.DeepClone();
            var owners = (JsonArray)orphaned["metadata"]!["ownerReferences"]!;
            foreach (var owner in owners.Where(o => (string?)o!["uid"] == ownerUid).ToList())
            {
                owners.Remove(owner);
            }

            Commit(_types[key.Type], key, orphaned, "MODIFIED");
        }
    }

    private List<((string Type, string Namespace, string Name) Key, JsonObject Obj)> DependentsOf(string? ownerUid) =>
        [.. _objects.Where(p => p.Value["metadata"]?["ownerReferences"] is JsonArray owners && owners.Any(o => (string?)o!["uid"] == ownerUid))
            .Select(p => (p.Key, p.Value))];

    private void Validate(ResourceType type, string name, JsonObject obj)
    {
        if (type.Schema is null)
        {
            return;
        }

        // As for a custom resource: nulls of fields that are not nullable (none of ours is) are pruned, not refused,
        // so a JSON patch adding null removes the field as a merge patch's null does.
        PruneNulls(obj);

        var problems = StructuralSchemaValidator.Validate(obj, type.Schema, StructuralChecks.ApiServer);
        if (problems.Count > 0)
        {
            throw ApiError.Invalid(type, name, problems.Select(p => (p.Path, p.Message)));
        }
    }

    private static void PruneNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Where(p => p.Value is null).Select(p => p.Key).ToList())
                {
                    o.Remove(key);
                }

                foreach (var (_, value) in o)
                {
                    PruneNulls(value);
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    PruneNulls(item);
                }

                break;
            default:
                break;
        }
    }

    private static JsonObject WithoutMetadataAndStatus(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("metadata");
        copy.Remove("status");
        return copy;
    }

    /// <summary>The objects a field selector (metadata.name, metadata.namespace) selects; 400 for any other field.</summary>
    public static Func<JsonObject, bool> ParseFieldSelector(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return _ => true;
        }

        var terms = selector.Split(',').Select(t => t.Split('=', 2)).ToList();
        foreach (var term in terms)
        {
            if (term.Length != 2 || term[0] is not ("metadata.name" or "metadata.namespace"))
            {
                throw new ApiError(400, "BadRequest", $"field label not supported: {term[0]}");
            }
        }

        return obj => terms.All(t => (string?)obj["metadata"]![t[0]["metadata.".Length..]] == t[1]);
    }

    private string Now() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
