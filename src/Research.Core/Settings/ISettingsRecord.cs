namespace Research.Core.Settings;

/// <summary>A record whose settings are declared in one <see cref="SettingSet{TRecord}"/> (what <see cref="SettingsJsonConverter{T}"/> writes).</summary>
public interface ISettingsRecord<TSelf> where TSelf : ISettingsRecord<TSelf>
{
    static abstract SettingSet<TSelf> Settings { get; }
}
