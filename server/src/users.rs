//! `twincity user …`: managing editors' accounts from the command line.

use std::io::{BufRead, IsTerminal};

use app::auth::{password, Role};
use app::store::{users, Store};

use crate::config::UserCommand;

/// Runs one account command against `store`, printing what it did.
pub fn run(store: &Store, command: UserCommand) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        UserCommand::Add {
            username,
            role,
            name,
        } => {
            let role = Role::from_db(&role).ok_or("the role must be editor or admin")?;
            check_username(&username)?;
            let hash = password::hash(&new_password(&username)?)?;
            let display = name.unwrap_or_else(|| username.clone());
            store
                .call_blocking(|c| users::add_user(c, &username, &display, role, &hash))
                .map_err(|e| match app::error::AppError::from(e) {
                    app::error::AppError::Conflict => format!("the name {username} is taken"),
                    _ => "cannot add the account".to_owned(),
                })?;
            println!("added {} {username}", role.as_str());
        }
        UserCommand::Passwd { username } => {
            let hash = password::hash(&new_password(&username)?)?;
            if !store.call_blocking(|c| users::set_password(c, &username, &hash))? {
                return Err(format!("there is no account {username}").into());
            }
            println!("changed the password of {username}; their sessions have ended");
        }
        UserCommand::List => {
            for a in store.call_blocking(|c| users::list_users(c))? {
                let state = if a.disabled { "disabled" } else { "active" };
                println!(
                    "{}\t{}\t{}\t{state}\tsince {}",
                    a.username,
                    a.role.as_str(),
                    a.display_name,
                    a.created_at
                );
            }
        }
        UserCommand::Disable { username } => set_disabled(store, &username, true)?,
        UserCommand::Enable { username } => set_disabled(store, &username, false)?,
    }
    Ok(())
}

fn set_disabled(
    store: &Store,
    username: &str,
    disabled: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    if !store.call_blocking(|c| users::set_disabled(c, username, disabled))? {
        return Err(format!("there is no account {username}").into());
    }
    let what = if disabled { "disabled" } else { "enabled" };
    println!("{what} {username}");
    Ok(())
}

fn check_username(username: &str) -> Result<(), String> {
    let ok = (1..=64).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if ok {
        Ok(())
    } else {
        Err("a user name has 1–64 letters, digits or . - _ @".to_owned())
    }
}

/// Reads the new password: twice without echo on a terminal, else one line of standard input.
fn new_password(username: &str) -> Result<String, Box<dyn std::error::Error>> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("New password for {username}: "))?;
        let again = rpassword::prompt_password("Again: ")?;
        if first != again {
            return Err("the passwords differ".into());
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    password::check_new(&password)?;
    Ok(password)
}
