using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace DistillOperator.Testing.Emulator.Workloads;

/// <summary>
/// A kubelet that runs each pod's container as a local process: the image is mapped to a local command, the
/// container's args and env are passed on with mount paths rewritten to local folders (PersistentVolumeClaims under
/// a claim root, which the process also gets as DISTILL_PVC_ROOT; ConfigMaps written out as files; emptyDirs as
/// temporary folders), the termination message is read from DISTILL_TERMINATION_LOG, and stdout and stderr are the
/// pod's logs.
/// </summary>
/// <param name="store">The emulator's store.</param>
/// <param name="images">Image name (without tag) → local command.</param>
/// <param name="claimRoot">The folder holding one sub-folder per PersistentVolumeClaim.</param>
/// <param name="workRoot">Where each pod gets its folder.</param>
/// <param name="environment">Adds to a pod's environment what a real kubelet would provide otherwise (the service-account credentials).</param>
public sealed class ProcessKubelet(ObjectStore store, IReadOnlyDictionary<string, string[]> images, string claimRoot, string workRoot, Action<JsonObject, IDictionary<string, string?>>? environment = null) : IKubelet, IDisposable
{
    private readonly ResourceType _pods = store.Find("", "v1", "pods")!;
    private readonly ResourceType _configMaps = store.Find("", "v1", "configmaps")!;
    private readonly Dictionary<(string Namespace, string Name), RunningPod> _running = [];
    private readonly Dictionary<(string Namespace, string Name), string> _logs = [];

    /// <inheritdoc />
    public bool Step()
    {
        var changed = false;
        foreach (var pod in store.List(_pods, null, LabelSelector.Everything, null).Items)
        {
            var key = ((string)pod["metadata"]!["namespace"]!, (string)pod["metadata"]!["name"]!);
            var phase = (string?)pod["status"]?["phase"];
            if (phase is null or "Pending" && !_running.ContainsKey(key) && pod["metadata"]!["deletionTimestamp"] is null)
            {
                Start(key, pod);
                changed = true;
            }
        }

        foreach (var (key, running) in _running.Where(r => r.Value.Process.HasExited).ToList())
        {
            _running.Remove(key);
            running.Process.WaitForExit();
            var message = File.Exists(running.TerminationLog) ? File.ReadAllText(running.TerminationLog) : "";
            Write(key, Terminated(running.Process.ExitCode, message));
            changed = true;
        }

        // Pods deleted while running (suspension, deadline) have their process killed.
        var existing = store.List(_pods, null, LabelSelector.Everything, null).Items.Select(p => ((string)p["metadata"]!["namespace"]!, (string)p["metadata"]!["name"]!)).ToHashSet();
        foreach (var (key, running) in _running.Where(r => !existing.Contains(r.Key)).ToList())
        {
            running.Process.Kill(entireProcessTree: true);
            _running.Remove(key);
        }

        return changed;
    }

    /// <inheritdoc />
    public string? Logs(string ns, string name)
    {
        lock (_logs)
        {
            return _logs.TryGetValue((ns, name), out var file) && File.Exists(file) ? File.ReadAllText(file) : null;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var running in _running.Values)
        {
            if (!running.Process.HasExited)
            {
                running.Process.Kill(entireProcessTree: true);
            }

            running.Process.Dispose();
        }

        _running.Clear();
    }

    private void Start((string Namespace, string Name) key, JsonObject pod)
    {
        var folder = Directory.CreateDirectory(Path.Combine(workRoot, key.Namespace, key.Name)).FullName;
        var container = pod["spec"]?["containers"]?[0] as JsonObject ?? new JsonObject();
        var image = ((string?)container["image"] ?? "").Split(':')[0];
        if (!images.TryGetValue(image, out var command))
        {
            Write(key, Terminated(127, $"image {image} is not mapped to a local command"));
            return;
        }

        var mounts = MountFolders(key.Namespace, pod, container, folder);
        // The longest mount path that starts the value is replaced, once: a local folder may itself start with a mount path (/tmp).
        string Local(string value) =>
            mounts.Where(m => value == m.Key || value.StartsWith(m.Key + "/", StringComparison.Ordinal)).OrderByDescending(m => m.Key.Length).FirstOrDefault() is { Key: not null } mount
                ? mount.Value + value[mount.Key.Length..]
                : value;
        var start = new ProcessStartInfo(command[0]) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Skip(1).Concat((container["args"] as JsonArray ?? []).Select(a => Local((string)a!))))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var variable in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
        {
            // Values from the downward API (fieldRef) are resolved against the pod, as a kubelet does.
            var value = variable["valueFrom"]?["fieldRef"]?["fieldPath"] is JsonNode path
                ? FieldOf(pod, (string)path!)
                : (string?)variable["value"];
            start.Environment[(string)variable["name"]!] = Local(value ?? "");
        }

        var terminationLog = Path.Combine(folder, "termination-log");
        File.WriteAllText(terminationLog, "");
        start.Environment["DISTILL_TERMINATION_LOG"] = terminationLog;
        start.Environment["DISTILL_PVC_ROOT"] = claimRoot;
        environment?.Invoke(pod, start.Environment);
        var logFile = Path.Combine(folder, "log");
        var log = new StreamWriter(logFile) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.Exited += (_, _) => log.Dispose();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_logs)
        {
            _logs[key] = logFile;
        }

        _running[key] = new RunningPod(process, terminationLog);
        Write(key, new JsonObject
        {
            ["phase"] = "Running",
            ["startTime"] = Now(),
            ["containerStatuses"] = new JsonArray(new JsonObject { ["name"] = (string?)container["name"], ["ready"] = true, ["restartCount"] = 0, ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Now() } } }),
        });
    }

    // metadata.name, metadata.namespace, spec.serviceAccountName and the like: a dotted path into the pod.
    private static string? FieldOf(JsonObject pod, string path)
    {
        JsonNode? node = pod;
        foreach (var part in path.Split('.'))
        {
            node = node?[part];
        }

        return node is JsonValue value ? value.ToString() : null;
    }

    // Container mount path → local folder, longest first so nested mounts win.
    private Dictionary<string, string> MountFolders(string ns, JsonObject pod, JsonObject container, string folder)
    {
        var volumes = (pod["spec"]?["volumes"] as JsonArray ?? []).OfType<JsonObject>().ToDictionary(v => (string)v["name"]!, v => v);
        var mounts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var mount in (container["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>().OrderByDescending(m => ((string)m["mountPath"]!).Length))
        {
            var volume = volumes[(string)mount["name"]!];
            string local;
            if (volume["persistentVolumeClaim"] is { } claim)
            {
                local = Directory.CreateDirectory(Path.Combine(claimRoot, (string)claim["claimName"]!)).FullName;
            }
            else if (volume["configMap"] is { } map)
            {
                local = Directory.CreateDirectory(Path.Combine(folder, "configmaps", (string)mount["name"]!)).FullName;
                var data = store.Get(_configMaps, ns, (string)map["name"]!)["data"] as JsonObject ?? [];
                foreach (var (file, content) in data)
                {
                    File.WriteAllText(Path.Combine(local, file), (string?)content ?? "");
                }
            }
            else
            {
                local = Directory.CreateDirectory(Path.Combine(folder, "volumes", (string)mount["name"]!)).FullName;
            }

            mounts[((string)mount["mountPath"]!).TrimEnd('/')] = local;
        }

        return mounts;
    }

    private void Write((string Namespace, string Name) key, JsonObject status)
    {
        try
        {
            store.Replace(_pods, key.Namespace, key.Name, new JsonObject { ["status"] = status }, status: true);
        }
        catch (ApiError e) when (e.Code == 404)
        {
            // the pod was deleted meanwhile
        }
    }

    private JsonObject Terminated(int code, string message) => new()
    {
        ["phase"] = code == 0 ? "Succeeded" : "Failed",
        ["containerStatuses"] = new JsonArray(new JsonObject
        {
            ["name"] = "trainer",
            ["ready"] = false,
            ["restartCount"] = 0,
            ["state"] = new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = code, ["message"] = message, ["reason"] = code == 0 ? "Completed" : "Error", ["finishedAt"] = Now() } },
        }),
    };

    private static void Append(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private sealed record RunningPod(Process Process, string TerminationLog);
}
