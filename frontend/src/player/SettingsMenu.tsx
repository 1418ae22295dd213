// The compact player's one settings menu: quality, captions and speed
// behind a single button, so a 360 px wide player keeps room for play, the
// time and full screen. The first page lists each setting with its value;
// choosing one opens its options (menuitemradio entries) with a way back.
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { Choice } from './ChoiceMenu';

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
  const [open, setOpen] = useState(false);
  // null: the list of settings; else the index of the setting shown.
  const [page, setPage] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const menuId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const items = useRef<(HTMLButtonElement | null)[]>([]);

  useEffect(() => {
    if (open) items.current[active]?.focus();
  }, [open, page, active]);

  // A click anywhere else closes the menu.
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  const section = page === null ? null : (sections[page] ?? null);
  // On a setting's page the first entry goes back.
  const count = section ? section.options.length + 1 : sections.length;

  function show() {
    setPage(null);
    setActive(0);
    setOpen(true);
  }

  function close(focusButton: boolean) {
    setOpen(false);
    setPage(null);
    if (focusButton) button.current?.focus();
  }

  function openSection(i: number) {
    const s = sections[i];
    if (!s) return;
    setPage(i);
    setActive(1 + Math.max(0, s.options.findIndex((o) => o.value === s.chosen)));
  }

  function back() {
    setActive(page ?? 0);
    setPage(null);
  }

  function onMenuKey(e: KeyboardEvent) {
    const last = count - 1;
    switch (e.key) {
      case 'ArrowDown':
        setActive((i) => (i >= last ? 0 : i + 1));
        break;
      case 'ArrowUp':
        setActive((i) => (i <= 0 ? last : i - 1));
        break;
      case 'Home':
        setActive(0);
        break;
      case 'End':
        setActive(last);
        break;
      case 'ArrowRight':
        if (section) return;
        openSection(active);
        break;
      case 'ArrowLeft':
        if (!section) return;
        back();
        break;
      case 'Escape':
        if (section) back();
        else close(true);
        break;
      case 'Tab':
        close(false);
        return; // let focus move on
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  }

  const itemRef = (i: number) => (el: HTMLButtonElement | null) => {
    items.current[i] = el;
  };

  return (
    <div className="menu" ref={root}>
      <button
        ref={button}
        type="button"
        className="player__button player__settings"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label="Settings"
        title="Settings"
        onClick={() => (open ? close(false) : show())}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            e.stopPropagation();
            show();
          }
        }}
      >
        {icon}
      </button>
      {open && (
        <ul id={menuId} role="menu" aria-label={section ? section.name : 'Settings'} className="menu__list settings" onKeyDown={onMenuKey}>
          {section ? (
            <>
              <li role="none">
                <button
                  ref={itemRef(0)}
                  type="button"
                  role="menuitem"
                  tabIndex={active === 0 ? 0 : -1}
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
                    ref={itemRef(i + 1)}
                    type="button"
                    role="menuitemradio"
                    aria-checked={o.value === section.chosen}
                    tabIndex={active === i + 1 ? 0 : -1}
                    className="menu__item"
                    onClick={() => {
                      section.onChoose(o.value);
                      close(true);
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
                  ref={itemRef(i)}
                  type="button"
                  role="menuitem"
                  aria-haspopup="menu"
                  tabIndex={active === i ? 0 : -1}
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
