namespace Research.Models.Cells;

/// <summary>
/// The forms an op definition can take, tried in registration order. Registration is explicit
/// and a duplicate name throws; <see cref="Default"/> holds none, skip, max/avg pooling and block
/// templates, and a user's assembly adds its own with <see cref="Register"/>.
/// </summary>
public sealed class CellOpFormRegistry
{
    private readonly object _gate = new();
    private readonly List<CellOpForm> _forms = [];
    private Dictionary<Type, CellOpForm> _byModuleType = new();

    public static CellOpFormRegistry Default { get; } = CreateDefault();

    public IReadOnlyList<CellOpForm> Forms
    {
        get
        {
            lock (_gate) return _forms.ToArray();
        }
    }

    public void Register(CellOpForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        lock (_gate)
        {
            if (_forms.FirstOrDefault(f => f.Name == form.Name) is { } existing)
                throw new ArgumentException($"op form '{form.Name}' ({form.GetType().FullName}) is already registered by {existing.GetType().FullName}");
            var byType = new Dictionary<Type, CellOpForm>(_byModuleType);
            foreach (var t in form.ModuleTypes)
                if (!byType.TryAdd(t, form)) throw new ArgumentException($"op form '{form.Name}': module type {t.Name} is already exported by form '{byType[t].Name}'");
            // Block templates match anything that parses as a block, so user forms go before them.
            int at = _forms.FindIndex(f => f is BlockOpForm);
            if (at < 0 || form is BlockOpForm) _forms.Add(form);
            else _forms.Insert(at, form);
            _byModuleType = byType;
        }
    }

    public CellOpForm? ForModule(Type moduleType) => _byModuleType.GetValueOrDefault(moduleType);

    public IEnumerable<string> Syntaxes => Forms.Select(f => f.Syntax);

    private static CellOpFormRegistry CreateDefault()
    {
        var r = new CellOpFormRegistry();
        r.Register(new ZeroOpForm());
        r.Register(new SkipOpForm());
        r.Register(new PoolOpForm());
        r.Register(new BlockOpForm());
        return r;
    }
}
