// The compact player's one settings menu: quality, captions and speed
// behind a single button, so a 360 px wide player keeps room for play, the
// time and full screen. The first page lists each setting with its value;
// choosing one opens its options (menuitemradio entries) with a way back.
import { useState, type ReactNode } from 'react';
import type { Choice } from './ChoiceMenu';
import { useMenu } from './useMenu';

/** One setting of the menu ("Quality", "Captions", "Speed"). */
export interface SettingsSection {
  name: string;
  options: Choice[];
  chosen: number;
  /** What the setting is now ("Auto (720p)", "Off", "Normal"). */
  label: string;
  onChoose(value: number): void;
}

interface SettingsMenuProps {
  sections: SettingsSection[];
  icon: ReactNode;
}

/** A menu button whose entries open one setting's choices each (arrow keys, Escape goes back). */
export function SettingsMenu({ sections, icon }: SettingsMenuProps) {
  // null: the list of settings; else the index of the setting shown.
  const [page, setPage] = useState<number | null>(null);
  const section = page === null ? null : (sections[page] ?? null);
  const menu = useMenu({
    // On a setting's page the first entry goes back.
    count: section ? section.options.length + 1 : sections.length,
    view: page,
    onShow: () => {
      setPage(null);
      return 0;
    },
    onClose: () => setPage(null),
  });

  function openSection(i: number) {
    const s = sections[i];
    if (!s) return;
    setPage(i);
    menu.setActive(1 + Math.max(0, s.options.findIndex((o) => o.value === s.chosen)));
  }

  function back() {
    menu.setActive(page ?? 0);
    setPage(null);
  }

  // ArrowRight opens the focused setting, ArrowLeft and Escape go back from one.
  function pageKey(key: string): boolean {
    if (key === 'ArrowRight' && !section) openSection(menu.active);
    else if ((key === 'ArrowLeft' || key === 'Escape') && section) back();
    else return false;
    return true;
  }

  return (
    <div className="menu" ref={menu.root}>
      <button {...menu.buttonProps} className="player__button player__settings" aria-label="Settings" title="Settings">
        {icon}
      </button>
      {menu.open && (
        <ul
          id={menu.menuId}
          role="menu"
          aria-label={section ? section.name : 'Settings'}
          className="menu__list settings"
          onKeyDown={(e) => menu.onMenuKey(e, pageKey)}
        >
          {section ? (
            <>
              <li role="none">
                <button
                  {...menu.itemProps(0)}
                  role="menuitem"
                  className="menu__item settings__back"
                  aria-label={`Back to settings`}
                  onClick={back}
                >
                  <span aria-hidden="true">‹</span> {section.name}
                </button>
              </li>
              {section.options.map((o, i) => (
                <li role="none" key={o.value}>
                  <button
                    {...menu.itemProps(i + 1)}
                    role="menuitemradio"
                    aria-checked={o.value === section.chosen}
                    className="menu__item"
                    onClick={() => {
                      section.onChoose(o.value);
                      menu.close(true);
                    }}
                  >
                    {o.label}
                  </button>
                </li>
              ))}
            </>
          ) : (
            sections.map((s, i) => (
              <li role="none" key={s.name}>
                <button
                  {...menu.itemProps(i)}
                  role="menuitem"
                  aria-haspopup="menu"
                  className="menu__item settings__entry"
                  aria-label={`${s.name}: ${s.label}`}
                  onClick={() => openSection(i)}
                >
                  <span>{s.name}</span>
                  <span className="settings__value">
                    {s.label} <span aria-hidden="true">›</span>
                  </span>
                </button>
              </li>
            ))
          )}
        </ul>
      )}
    </div>
  );
}
